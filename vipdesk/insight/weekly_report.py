"""The weekly VIP health report, one per CSM (Monday 08:00, vipdesk/cron.py).

For each of the CSM's VIP accounts (Tier 1–3): the risk and health change over the
week and why (today's factors against the snapshot a week ago), open tickets and
escalations, and renewals within 90 days. Delivered in-app (Alert kind
weekly_report) and by e-mail (text + HTML). Idempotent: one per CSM per ISO week.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import Account, ScoreSnapshot
from escalations.models import Escalation
from tickets.models import Ticket
from vipdesk.alerts.models import Alert
from vipdesk.alerts.raising import AlertSpec, raise_alerts

RENEWAL_WINDOW_DAYS = 90


@dataclass
class AccountLine:
    account: Account
    risk_before: int | None
    health_before: int | None
    reasons: list[str]
    open_tickets: int = 0
    open_urgent_tickets: int = 0
    escalations: list[Escalation] = field(default_factory=list)
    renewal_in_days: int | None = None

    @property
    def risk_change(self) -> int | None:
        return None if self.risk_before is None else self.account.risk_score - self.risk_before

    @property
    def health_change(self) -> int | None:
        if self.health_before is None or self.account.health_score is None:
            return None
        return self.account.health_score - self.health_before


def change_reasons(previous: list[dict] | None, current: list[dict]) -> list[str]:
    """Why the score moved: factors that appeared or grew, and factors that went away."""
    if previous is None:
        return [f["reason"] for f in current]
    before = {f["name"]: f for f in previous}
    now = {f["name"]: f for f in current}
    reasons = []
    for name, factor in now.items():
        old = before.get(name)
        if old is None:
            reasons.append(f"New: {factor['reason']}")
        elif factor["points"] != old["points"]:
            reasons.append(f"{factor['reason']} (was +{old['points']})")
    for name, factor in before.items():
        if name not in now:
            reasons.append(f"No longer: {factor['reason']}")
    return reasons


def build_lines(accounts: list[Account], today: date) -> list[AccountLine]:
    """Report lines for these accounts, in a constant number of queries."""
    ids = [a.pk for a in accounts]
    week_ago = today - timedelta(days=7)
    previous: dict[int, ScoreSnapshot] = {}
    for snapshot in ScoreSnapshot.objects.filter(
        account_id__in=ids, day__lte=week_ago, day__gte=week_ago - timedelta(days=7)
    ).order_by("account_id", "day"):
        previous[snapshot.account_id] = snapshot  # the latest one at least a week old
    tickets = {
        row["account_id"]: row
        for row in Ticket.objects.open()
        .filter(account_id__in=ids)
        .values("account_id")
        .annotate(
            n=Count("id"),
            urgent=Count("id", filter=Q(effective_priority__in=["P1", "P2"])),
        )
    }
    escalations: dict[int, list[Escalation]] = {}
    for escalation in Escalation.objects.open().filter(account_id__in=ids).order_by("opened_at"):
        escalations.setdefault(escalation.account_id, []).append(escalation)
    lines = []
    for account in accounts:
        snapshot = previous.get(account.pk)
        renewal_in = None
        if account.renewal_date:
            days = (account.renewal_date - today).days
            if 0 <= days <= RENEWAL_WINDOW_DAYS:
                renewal_in = days
        lines.append(
            AccountLine(
                account=account,
                risk_before=snapshot.risk_score if snapshot else None,
                health_before=snapshot.health_score if snapshot else None,
                reasons=change_reasons(
                    snapshot.risk_factors if snapshot else None, account.risk_factors
                ),
                open_tickets=tickets.get(account.pk, {}).get("n", 0),
                open_urgent_tickets=tickets.get(account.pk, {}).get("urgent", 0),
                escalations=escalations.get(account.pk, []),
                renewal_in_days=renewal_in,
            )
        )
    return lines


def week_key(now: datetime) -> str:
    year, week, _ = timezone.localdate(now).isocalendar()
    return f"{year}-W{week:02d}"


def send_weekly_reports(now: datetime | None = None) -> int:
    """Job: send this week's report to every CSM with VIP accounts; returns how many
    were sent now (0 when run again in the same week)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    week = week_key(now)
    by_csm: dict[int, list[Account]] = {}
    csms = {}
    for account in (
        Account.objects.vip()
        .filter(csm__isnull=False, csm__is_active=True)
        .select_related("csm")
        .order_by("-risk_score", "name")
    ):
        by_csm.setdefault(account.csm_id, []).append(account)
        csms[account.csm_id] = account.csm
    sent = 0
    for csm_id, accounts in by_csm.items():
        csm = csms[csm_id]
        key = f"weekly-report:{week}"
        existing = Alert.objects.filter(user=csm, dedupe_key=key).first()
        if existing and existing.emailed_at:
            continue
        lines = build_lines(accounts, today)
        context = {
            "csm": csm,
            "week": week,
            "lines": lines,
            "at_risk": [line for line in lines if line.account.risk_level in ("high", "critical")],
            "renewals": [line for line in lines if line.renewal_in_days is not None],
            "site_url": settings.SITE_URL.rstrip("/"),
        }
        subject = render_to_string("emails/weekly-report-subject.txt", context).strip()
        text = render_to_string("emails/weekly-report-body.txt", context)
        alert = existing
        if alert is None:
            spec = AlertSpec(csm.pk, Alert.Kind.WEEKLY_REPORT, key, subject, text, link="/")
            created = raise_alerts([spec], now=now, deliver=False)
            if not created:  # another run created it meanwhile
                continue
            [alert] = created
        if csm.email:
            message = EmailMultiAlternatives(subject=subject, body=text, to=[csm.email])
            message.attach_alternative(
                render_to_string("emails/weekly-report-body.html", context), "text/html"
            )
            message.send()
        # Mark it sent only if we are the run that sent it (a concurrent run skips).
        if Alert.objects.filter(pk=alert.pk, emailed_at__isnull=True).update(emailed_at=now):
            sent += 1
    return sent
