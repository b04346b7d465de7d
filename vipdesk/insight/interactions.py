"""Support-interaction risk analysis for one account (seed 000 prompt 2): the last 90
days of tickets, the frequency, severity and sentiment trend, recurring issues, the
churn-risk level with its reasons (the account's scored factors), actions now / this
week / this month, and talking points for the next check-in.

`load_interactions` reads (a fixed number of queries); everything else here is pure."""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import Account, RiskLevel
from tickets.models import Ticket
from vipdesk.insight.handoff import Handoff, load_handoff
from vipdesk.insight.recommendations import HIGH, NORMAL, URGENT, Recommendation
from vipdesk.lib.tables import Table, rounded

DAYS = 90
WINDOW_DAYS = 30
TICKETS_SHOWN = 500
URGENT_PRIORITIES = ("P1", "P2")
# Trend rules (stated on the page): frequency moves when the latest 30 days differ from
# the first 30 by at least a quarter and 2 tickets; severity by 10 points of P1–P2
# share; sentiment by 0.1 (VADER compound, −1 to 1).
FREQUENCY_CHANGE = 0.25
FREQUENCY_MIN = 2
SEVERITY_CHANGE = 10
SENTIMENT_CHANGE = 0.1
# Words of three letters or more that say nothing about the issue.
STOPWORDS = {
    "again",
    "and",
    "are",
    "but",
    "can",
    "cannot",
    "could",
    "does",
    "for",
    "from",
    "fwd",
    "has",
    "have",
    "help",
    "how",
    "into",
    "issue",
    "its",
    "not",
    "our",
    "please",
    "problem",
    "question",
    "still",
    "that",
    "the",
    "their",
    "this",
    "urgent",
    "was",
    "were",
    "what",
    "when",
    "why",
    "will",
    "with",
    "you",
    "your",
}
WORD = re.compile(r"[a-z][a-z'-]{2,}")
SIMILAR = 0.5  # Jaccard similarity of subject words for two tickets to be one issue


@dataclass
class Window:
    start: datetime
    end: datetime
    tickets: int = 0
    urgent: int = 0
    sentiments: list[float] = field(default_factory=list)
    csats: list[int] = field(default_factory=list)

    @property
    def urgent_pct(self) -> float | None:
        return 100 * self.urgent / self.tickets if self.tickets else None

    @property
    def sentiment(self) -> float | None:
        return sum(self.sentiments) / len(self.sentiments) if self.sentiments else None

    @property
    def csat(self) -> float | None:
        return sum(self.csats) / len(self.csats) if self.csats else None


@dataclass(frozen=True)
class Trend:
    name: str
    direction: str  # "rising", "falling", "steady" or "unknown"
    reason: str


@dataclass
class Issue:
    label: str
    tickets: list[Ticket]

    @property
    def first(self) -> datetime:
        return min(t.created_at for t in self.tickets)

    @property
    def open(self) -> int:
        return sum(1 for t in self.tickets if t.status in Ticket.OPEN_STATUSES)


def priority(ticket: Ticket) -> str:
    return ticket.effective_priority or ticket.customer_priority


def resolution_hours(ticket: Ticket) -> float | None:
    if ticket.resolved_at is None:
        return None
    return (ticket.resolved_at - ticket.created_at).total_seconds() / 3600


def windows(tickets: list[Ticket], now: datetime) -> list[Window]:
    """The 90 days in three 30-day windows, oldest first."""
    result = [
        Window(now - timedelta(days=WINDOW_DAYS * (i + 1)), now - timedelta(days=WINDOW_DAYS * i))
        for i in reversed(range(DAYS // WINDOW_DAYS))
    ]
    for t in tickets:
        for w in result:
            if w.start <= t.created_at < w.end:
                w.tickets += 1
                w.urgent += priority(t) in URGENT_PRIORITIES
                if t.sentiment is not None:
                    w.sentiments.append(t.sentiment)
                if t.csat is not None:
                    w.csats.append(t.csat)
    return result


def trends(ws: list[Window]) -> list[Trend]:
    first, last = ws[0], ws[-1]
    change = last.tickets - first.tickets
    if abs(change) >= FREQUENCY_MIN and abs(change) >= FREQUENCY_CHANGE * max(first.tickets, 1):
        frequency = "rising" if change > 0 else "falling"
    else:
        frequency = "steady"
    result = [
        Trend(
            "Ticket frequency",
            frequency,
            f"{last.tickets} tickets in the last 30 days against {first.tickets} 60–90 days ago",
        )
    ]
    if first.urgent_pct is None or last.urgent_pct is None:
        result.append(Trend("Severity", "unknown", "too few tickets to compare"))
    else:
        delta = last.urgent_pct - first.urgent_pct
        direction = (
            "steady" if abs(delta) < SEVERITY_CHANGE else "rising" if delta > 0 else "falling"
        )
        result.append(
            Trend(
                "Severity",
                direction,
                f"P1–P2 share {last.urgent_pct:.0f}% in the last 30 days against "
                f"{first.urgent_pct:.0f}% 60–90 days ago",
            )
        )
    if first.sentiment is None or last.sentiment is None:
        result.append(Trend("Sentiment", "unknown", "too few tickets to compare"))
    else:
        delta = last.sentiment - first.sentiment
        direction = (
            "steady" if abs(delta) < SENTIMENT_CHANGE else "rising" if delta > 0 else "falling"
        )
        result.append(
            Trend(
                "Sentiment",
                direction,
                f"average {last.sentiment:+.2f} in the last 30 days against "
                f"{first.sentiment:+.2f} 60–90 days ago",
            )
        )
    return result


def _stem(word: str) -> str:
    """A crude stem, enough for subjects: "fails", "failing", "failed" → "fail"."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def subject_words(subject: str) -> frozenset[str]:
    return frozenset(_stem(w) for w in WORD.findall(subject.lower()) if w not in STOPWORDS)


def _similar(a: frozenset, b: frozenset) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= SIMILAR


def recurring_issues(tickets: list[Ticket]) -> list[Issue]:
    """Tickets grouped by similar subject (greedy, oldest first: a ticket joins the first
    group whose first subject shares at least half of their words); groups of two or
    more, the largest first."""
    groups: list[tuple[frozenset, list[Ticket]]] = []
    for t in sorted(tickets, key=lambda t: (t.created_at, t.pk)):
        words = subject_words(t.subject)
        for key, members in groups:
            if _similar(key, words):
                members.append(t)
                break
        else:
            groups.append((words, [t]))
    issues = [Issue(members[0].subject, members) for _, members in groups if len(members) > 1]
    return sorted(issues, key=lambda i: (-len(i.tickets), i.first))


WHEN = {URGENT: "Now", HIGH: "This week", NORMAL: "This month"}


def interaction_actions(
    trends_: list[Trend], issues: list[Issue], handoff_recs: list[Recommendation]
) -> list[Recommendation]:
    """The account's recommended approach plus what the interactions add, most urgent
    first (URGENT = now, HIGH = this week, NORMAL = this month)."""
    recs = list(handoff_recs)
    by_name = {t.name: t for t in trends_}
    for issue in issues[:3]:
        recs.append(
            Recommendation(
                f"Root-cause review with support of \u201c{issue.label}\u201d",
                f"{len(issue.tickets)} similar tickets in {DAYS} days, {issue.open} still open",
                HIGH if issue.open else NORMAL,
            )
        )
    if by_name["Sentiment"].direction == "falling":
        recs.append(
            Recommendation(
                "Call the main contact about their experience with support",
                f"sentiment falling: {by_name['Sentiment'].reason}",
                HIGH,
            )
        )
    if by_name["Severity"].direction == "rising":
        recs.append(
            Recommendation(
                "Agree a severity review with the support lead",
                f"severity rising: {by_name['Severity'].reason}",
                HIGH,
            )
        )
    recs.sort(key=lambda r: r.priority)
    return recs


def talking_points(
    account: Account,
    tickets: list[Ticket],
    trends_: list[Trend],
    issues: list[Issue],
    days_to_renewal: int | None,
    open_escalations: list,
) -> list[str]:
    """Sentences for the next CSM check-in, each resting on a figure."""
    points = []
    rated = [t.csat for t in tickets if t.csat is not None]
    if tickets:
        points.append(
            f"{len(tickets)} tickets in the last {DAYS} days"
            + (
                f"; CSAT averaged {sum(rated) / len(rated):.1f}/5 over {len(rated)} ratings"
                if rated
                else "; none rated"
            )
            + "."
        )
    for issue in issues[:3]:
        points.append(
            f"Acknowledge the recurring \u201c{issue.label}\u201d ({len(issue.tickets)} tickets "
            f"since {timezone.localtime(issue.first):%d %b}) and say what support is changing."
        )
    for trend in trends_:
        if trend.direction in ("rising", "falling"):
            points.append(f"{trend.name} {trend.direction}: {trend.reason}.")
    for e in open_escalations:
        points.append(f"Give the status of {e.code} ({e.get_severity_display()}): {e.summary}.")
    if days_to_renewal is not None and 0 <= days_to_renewal <= 120:
        points.append(f"Renewal in {days_to_renewal} days: confirm the success plan.")
    if account.risk_level in (RiskLevel.HIGH, RiskLevel.CRITICAL):
        points.append("Ask directly what would make them confident to renew.")
    return points or ["No support activity in the last 90 days: ask how the product is going."]


@dataclass
class Interactions:
    account: Account
    handoff: Handoff
    tickets: list[Ticket]
    windows: list[Window]
    trends: list[Trend]
    issues: list[Issue]
    actions: list[Recommendation]
    points: list[str]
    truncated: bool


def load_interactions(account: Account, now: datetime) -> Interactions:
    handoff = load_handoff(account, timezone.localdate(now))
    tickets = list(
        Ticket.objects.filter(account=account, created_at__gte=now - timedelta(days=DAYS))
        .only(
            "id",
            "subject",
            "status",
            "customer_priority",
            "effective_priority",
            "created_at",
            "resolved_at",
            "csat",
            "sentiment",
        )
        .order_by("-created_at", "-id")[: TICKETS_SHOWN + 1]
    )
    truncated = len(tickets) > TICKETS_SHOWN
    tickets = tickets[:TICKETS_SHOWN]
    ws = windows(tickets, now)
    ts = trends(ws)
    issues = recurring_issues(tickets)
    return Interactions(
        account=account,
        handoff=handoff,
        tickets=tickets,
        windows=ws,
        trends=ts,
        issues=issues,
        actions=interaction_actions(ts, issues, handoff.recommendations),
        points=talking_points(
            account, tickets, ts, issues, handoff.days_to_renewal, handoff.escalations
        ),
        truncated=truncated,
    )


def _day(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d")


def interaction_tables(a: Interactions) -> list[Table]:
    return [
        Table(
            "actions",
            "Recommended actions",
            ["When", "Action", "Reason"],
            [[WHEN[r.priority], r.action, r.reason] for r in a.actions],
        ),
        Table(
            "trend",
            "Frequency, severity and sentiment by 30 days",
            ["From", "To", "Tickets", "P1–P2", "P1–P2 (%)", "Avg sentiment", "Avg CSAT"],
            [
                [
                    _day(w.start),
                    _day(w.end),
                    w.tickets,
                    w.urgent,
                    rounded(w.urgent_pct, 1),
                    rounded(w.sentiment),
                    rounded(w.csat),
                ]
                for w in a.windows
            ],
        ),
        Table(
            "recurring",
            "Recurring issues (similar subjects)",
            ["Issue", "Tickets", "Open", "First seen"],
            [[i.label, len(i.tickets), i.open, _day(i.first)] for i in a.issues],
        ),
        Table(
            "tickets",
            f"Tickets, last {DAYS} days",
            [
                "Ticket",
                "Created",
                "Subject",
                "Priority",
                "Status",
                "Resolution (h)",
                "CSAT",
                "Sentiment",
            ],
            [
                [
                    t.pk,
                    _day(t.created_at),
                    t.subject,
                    priority(t),
                    t.get_status_display(),
                    rounded(resolution_hours(t), 1),
                    t.csat,
                    rounded(t.sentiment),
                ]
                for t in a.tickets
            ],
            links=[f"/tickets/{t.pk}/" for t in a.tickets],
            note=f"The latest {TICKETS_SHOWN} are listed and analysed." if a.truncated else "",
        ),
    ]
