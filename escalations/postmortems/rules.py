"""Post-mortem rules as pure functions: no database access. The caller loads the
policy, the events and the follow-ups and passes `now`; every refusal is a sentence
saying what to fix.

- The executive summary holds at most the policy's sentences (default 3).
- A process-change recommendation is specific when it is long enough, names who
  (a team or role) or where (a named system), and a step or trigger (a number, a time
  or a concrete mechanism); one that only says a vague phrase ("communicate better")
  is refused with a hint.
- "Complete" needs every required field; a draft saves anything.
- The post-mortem is due N business days after the resolution; owners are reminded
  before and after a post-mortem or a follow-up action is due.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from vipdesk.lib.business_hours import BusinessCalendar, add_business_days

WORD = re.compile(r"[A-Za-z0-9][\w'’-]*")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
OWNER_WORDS = frozenset(
    [
        "team",
        "teams",
        "engineering",
        "engineer",
        "engineers",
        "support",
        "csm",
        "csms",
        "success",
        "lead",
        "leads",
        "manager",
        "managers",
        "on-call",
        "oncall",
        "owner",
        "product",
        "finance",
        "legal",
        "security",
        "sre",
        "ops",
        "operations",
        "vp",
        "director",
        "admin",
        "admins",
        "agent",
        "agents",
        "qa",
        "release",
    ]
)
STEP_WORDS = frozenset(
    [
        "within",
        "every",
        "before",
        "after",
        "when",
        "whenever",
        "daily",
        "weekly",
        "monthly",
        "until",
        "hour",
        "hours",
        "minute",
        "minutes",
        "day",
        "days",
        "week",
        "weeks",
        "checklist",
        "alert",
        "alerts",
        "runbook",
        "template",
        "rule",
        "rules",
        "dashboard",
        "playbook",
        "step",
        "review",
        "threshold",
        "page",
        "pages",
        "automate",
        "automatically",
        "require",
        "requires",
    ]
)


def words(text: str) -> list[str]:
    return WORD.findall(text or "")


def sentences(text: str) -> int:
    """How many sentences the text holds (a sentence ends in . ! or ?)."""
    return len([s for s in SENTENCE_END.split((text or "").strip()) if words(s)])


def split_lines(text: str) -> list[str]:
    return [line.strip().lower() for line in (text or "").splitlines() if line.strip()]


def _named_system(text: str) -> bool:
    """A capitalised word that does not start a sentence (Zendesk, PagerDuty, Jira)."""
    for sentence in SENTENCE_END.split(text.strip()):
        tokens = words(sentence)
        if any(t[0].isupper() and t != "I" for t in tokens[1:]):
            return True
    return False


def recommendation_problems(text: str, vague_phrases: list[str], min_words: int) -> list[str]:
    """Why a process-change recommendation is not specific enough ([] if it is)."""
    text = (text or "").strip()
    tokens = [t.lower() for t in words(text)]
    lowered = " ".join(tokens)
    problems = []
    vague = [p for p in vague_phrases if p and p in lowered]
    has_who = bool(OWNER_WORDS & set(tokens)) or _named_system(text)
    has_step = bool(STEP_WORDS & set(tokens)) or any(t.isdigit() for t in tokens)
    if vague and len(tokens) < min_words * 2:
        problems.append(
            f"“{vague[0]}” is too vague to act on: say who changes what, in which system "
            "or step, and when (e.g. “Support leads page the on-call engineer within 15 "
            "minutes of a Tier 1 P1 ticket”)."
        )
    if len(tokens) < min_words:
        problems.append(
            f"The recommendation has {len(tokens)} words; a specific one needs at least "
            f"{min_words}: who does what, where, and when."
        )
    if not has_who:
        problems.append(
            "Name who owns the change (a team or role, e.g. Support leads, Engineering "
            "on-call) or the system it changes (e.g. Zendesk, the status page)."
        )
    if not has_step:
        problems.append(
            "Name the concrete step or trigger (e.g. “within 2 hours”, “every Monday”, "
            "“an alert when…”, “a checklist step before…”)."
        )
    return problems


@dataclass(frozen=True)
class Values:
    """What completing checks: the post-mortem's fields as typed."""

    executive_summary: str = ""
    timeline_rows: int = 0
    went_well: str = ""
    do_differently: str = ""
    recommendation: str = ""
    root_cause_category: object = None
    root_cause: str = ""
    contributing_factors: int = 0
    customer_outcome: str = ""
    arr_retained: object = None
    arr_lost: object = None
    systemic: bool | None = None
    follow_ups: int = 0


def completion_errors(
    v: Values, *, max_sentences: int, vague_phrases: list[str], min_words: int
) -> dict[str, str]:
    """field -> what it still needs before the post-mortem can be complete ({} if none)."""
    errors: dict[str, str] = {}
    count = sentences(v.executive_summary)
    if not count:
        errors["executive_summary"] = (
            "Write the executive summary: what happened, the impact, how it ended "
            f"(at most {max_sentences} sentences)."
        )
    elif count > max_sentences:
        errors["executive_summary"] = (
            f"The executive summary has {count} sentences; keep it to {max_sentences}."
        )
    if not v.timeline_rows:
        errors["timeline"] = "The timeline needs at least one dated event."
    if not v.went_well.strip():
        errors["went_well"] = "Say what went well (at least one thing to keep doing)."
    if not v.do_differently.strip():
        errors["do_differently"] = "Say what we should have done differently."
    if not v.recommendation.strip():
        errors["recommendation"] = "Write one specific process-change recommendation."
    else:
        problems = recommendation_problems(v.recommendation, vague_phrases, min_words)
        if problems:
            errors["recommendation"] = " ".join(problems)
    if v.root_cause_category is None:
        errors["root_cause_category"] = "Pick the root-cause category."
    if not v.root_cause.strip():
        errors["root_cause"] = "Describe what actually caused the issue."
    if not v.contributing_factors:
        errors["contributing_factors"] = "Pick at least one contributing factor."
    if not v.customer_outcome.strip():
        errors["customer_outcome"] = (
            "Describe the customer outcome: how they responded, where the relationship stands."
        )
    if v.arr_retained is None:
        errors["arr_retained"] = "Enter the ARR retained (0 if none)."
    if v.arr_lost is None:
        errors["arr_lost"] = "Enter the ARR lost (0 if none)."
    if v.systemic is None:
        errors["systemic"] = (
            "Answer whether this reveals a systemic issue affecting other accounts."
        )
    if not v.follow_ups:
        errors["follow_ups"] = (
            "Add at least one follow-up action with an owner and a due date (who carries "
            "the recommendation out)."
        )
    return errors


@dataclass(frozen=True)
class Row:
    at: datetime
    text: str
    pinned: bool = False


def refresh_timeline(events: list[Row], current: list[Row]) -> list[Row]:
    """The escalation's events plus the rows a person pinned (kept as typed), by time."""
    pinned = [r for r in current if r.pinned]
    seen = {(r.at, r.text) for r in pinned}
    rows = pinned + [e for e in events if (e.at, e.text) not in seen]
    return sorted(rows, key=lambda r: r.at)


def due_at(resolved_at: datetime, business_days: int, calendar: BusinessCalendar) -> datetime:
    """When the post-mortem is due: the end of the N-th business day after resolution."""
    return add_business_days(resolved_at, business_days, calendar)


def reminder_stage(due: datetime, now: datetime, days_before: int) -> str | None:
    """ "overdue" once past due, "due_soon" within `days_before` days of it, else None."""
    if now > due:
        return "overdue"
    if now >= due - timedelta(days=days_before):
        return "due_soon"
    return None


def follow_up_stage(due_on: date, today: date, days_before: int) -> str | None:
    """The same for a follow-up action due on a date (overdue the day after)."""
    if today > due_on:
        return "overdue"
    if today >= due_on - timedelta(days=days_before):
        return "due_soon"
    return None
