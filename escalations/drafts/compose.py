"""Drafts built from a record snapshot (record.py): templates plus the escalation's own
data, never a language model and never placeholder text. Pure: no database access;
the time is the snapshot's `generated_at`.

Where a fact is missing, the draft says so in words and names where to fill it in
("not on record: the renewal date; fill it in at /admin/…"), and the gap is returned so
the page can link it. The internal brief stays within the policy's words (earlier
steps are summarised when the history is long) and blame words are flagged."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from escalations.postmortems.rules import words

TIMELINE_DAYS = 14


@dataclass(frozen=True)
class Gap:
    label: str
    url: str


@dataclass
class Composed:
    body: str
    gaps: list[Gap] = field(default_factory=list)


class Facts:
    """Reads the snapshot; a missing fact becomes a sentence naming it, and a gap."""

    def __init__(self, snap: dict):
        self.snap = snap
        self.e = snap["escalation"]
        self.account = snap["account"]
        self.links = snap["links"]
        self.now = datetime.fromisoformat(snap["generated_at"])
        self.gaps: list[Gap] = []

    def missing(self, label: str, link: str) -> str:
        url = self.links[link]
        if all(g.label != label for g in self.gaps):
            self.gaps.append(Gap(label, url))
        return f"(not on record: {label}; fill it in at {url})"

    def get(self, value, label: str, link: str) -> str:
        if value is None or value == "" or value == []:
            return self.missing(label, link)
        return str(value)

    # -- facts with their wording -------------------------------------------------

    @property
    def owner(self) -> str:
        return self.get(self.e["owner"], "the escalation's owner", "owners")

    @property
    def contact_name(self) -> str:
        contact = self.snap["contact"]
        return contact["name"] if contact else self.missing("the customer contact", "contact")

    @property
    def arr(self) -> str:
        arr = self.account["arr"]
        return f"${Decimal(arr):,.0f}" if arr else self.missing("the account's ARR", "account")

    @property
    def renewal(self) -> str:
        renewal = self.account["renewal_date"]
        if not renewal:
            return self.missing("the renewal date", "account")
        return f"{date.fromisoformat(renewal):%-d %B %Y}"

    @property
    def impact(self) -> str:
        impact = self.e["business_impact"].strip().rstrip(".")
        users = self.e["users_affected"]
        if not impact:
            return self.missing("the business impact", "analysis")
        return impact + (f" ({users} users affected)" if users else "")

    @property
    def root_cause(self) -> str:
        known = self.e["root_cause"].strip() or self.e["initial_assessment"].strip()
        return known.rstrip(".") if known else self.missing("the root cause so far", "analysis")

    def sla_minutes(self, key: str) -> int | None:
        sla = self.snap["sla"]
        return sla[key] if sla else None

    def open_actions(self) -> list[dict]:
        return [a for a in self.snap["actions"] if a["status"] == "open"]

    def next_step(self) -> dict | None:
        actions = self.open_actions()
        return actions[0] if actions else None

    def estimate(self) -> datetime | None:
        """The resolution plan's latest date: engineering's estimate, when there is one."""
        dues = [datetime.fromisoformat(a["due_at"]) for a in self.open_actions()]
        return max(dues) if dues else None

    def goodwill(self, *statuses: str) -> list[dict]:
        return [g for g in self.snap["goodwill"] if g["status"] in statuses]


def when(moment: datetime) -> str:
    return f"{moment:%a %-d %b, %H:%M} UTC"


def hours(minutes: int) -> str:
    if minutes == 60:
        return "1 hour"
    if minutes % 60 == 0:
        return f"{minutes // 60} hours"
    return f"{minutes} minutes"


def opened(f: Facts) -> datetime:
    return datetime.fromisoformat(f.e["opened_at"])


def _reply_by(f: Facts) -> str:
    minutes = f.sla_minutes("response_minutes")
    if minutes is None:
        return f.missing(f"the {f.e['severity_label']} response SLA", "escalation")
    return f"{when(f.now + timedelta(minutes=minutes))} (within {hours(minutes)})"


# -- the drafts --------------------------------------------------------------------------


def first_response(f: Facts) -> str:
    e = f.e
    step = f.next_step()
    step_text = (
        f"Our next step is this: {step['description'].rstrip('.')}."
        if step
        else "Our next step: " + f.missing("the next step (an open action)", "actions") + "."
    )
    statement = e["customer_statement"].strip()
    heard = f' You told us: "{statement}"' if statement else ""
    return "\n".join([
        f"Subject: {e['code']}: {e['summary']}",
        "",
        f"Dear {f.contact_name},",
        "",
        f"Thank you for raising this with us. {f.account['name']} is affected by this: "
        f"{e['summary'].rstrip('.')}.{heard} Impact as we understand it: {f.impact}.",
        "",
        f"I own this escalation personally until it is resolved: {f.owner}, with "
        f"{f.snap['teams'] or 'our specialists'} working on it with me.",
        "",
        f"{step_text} I will update you by {_reply_by(f)}, whether or not it is fixed by then.",
        "",
        "Regards,",
        f.owner,
    ])  # fmt: skip


def _brief(f: Facts, history: list[dict], earlier: int) -> str:
    e, a = f.e, f.account
    steps = [
        f"{i}. {datetime.fromisoformat(h['at']):%-d %b %H:%M}: {' '.join(words(h['text'])[:25])}"
        for i, h in enumerate(history, start=1)
    ]
    if earlier:
        steps.insert(0, f"({earlier} earlier step{'s' if earlier != 1 else ''} on the timeline: "
                     f"{f.links['escalation']})")  # fmt: skip
    asks = [
        f"- {s['name']}" + (f" ({s['role']})" if s["role"] else "") + f": {s['ask']}"
        for s in f.snap["stakeholders"]
    ] or ["- " + f.missing("the stakeholders and what each is asked", "owners")]
    return "\n".join([
        f"INTERNAL ESCALATION BRIEF: {e['code']} {a['name']}",
        "",
        f"Situation: {a['name']} ({a['tier']}) has a {e['severity_label']} "
        f"{e['type_label']} escalation open since {when(opened(f))}: {e['summary'].rstrip('.')}. "
        f"It is {e['status_label'].lower()} at escalation level {e['level']}.",
        f"Impact: {f.impact}. ARR at risk: {f.arr}. Renewal: {f.renewal}.",
        f"Root cause so far: {f.root_cause}.",
        "Actions to date:",
        *(steps or ["No actions recorded yet."]),
        "What we need:",
        *asks,
        f"Response deadline: {_reply_by(f)}.",
        f"Owner: {f.owner}.",
    ])  # fmt: skip


def internal_brief(f: Facts, max_words: int) -> str:
    """The brief with as much recent history as fits in `max_words`."""
    history = f.snap["history"]
    for skip in range(len(history) + 1):
        gaps = list(f.gaps)
        body = _brief(f, history[skip:], skip)
        if len(words(body)) <= max_words:
            return body
        f.gaps = gaps
    return body


def resolution_timeline(f: Facts) -> str:
    e = f.e
    every = f.sla_minutes("checkpoint_days")
    lines = [f"14-DAY RESOLUTION TIMELINE: {e['code']} {f.account['name']}", ""]
    resolution = f.sla_minutes("resolution_minutes")
    if resolution is None:
        lines.append("Resolution target: " + f.missing("the resolution SLA", "escalation"))
    else:
        lines.append(f"Resolution target (SLA): {when(opened(f) + timedelta(minutes=resolution))}")
    if every is None:
        lines.append(
            "Customer checkpoints: "
            + f.missing("the checkpoint spacing for this severity", "escalation")
        )
        every = 7
    else:
        lines.append(f"Customer checkpoints every {every} day{'s' if every != 1 else ''} "
                     f"({e['severity_label']}), even when nothing changed.")  # fmt: skip
    lines.append("")
    start = f.now.date()
    dated = [(datetime.fromisoformat(a["due_at"]).date(), a) for a in f.open_actions()]
    if not dated:
        lines.append("Planned work: " + f.missing("the resolution plan's actions", "actions"))
    previous = date.min
    for day in range(0, TIMELINE_DAYS + 1, every):
        on = start + timedelta(days=day)
        lines.append(f"Day {day} ({on:%a %-d %b}): update {f.contact_name} on progress and the "
                     "next step.")  # fmt: skip
        lines.extend(
            f"  - due: {a['description']} ({a['owner'] or 'no owner yet'})"
            for due, a in dated
            if previous < due <= on
        )
        previous = on
    lines.extend(
        f"After day {TIMELINE_DAYS}: {a['description']} (due {due:%a %-d %b})"
        for due, a in dated
        if due > previous
    )
    return "\n".join(lines)


def must_not_commit(f: Facts) -> str:
    lines = [f"WHAT WE MUST NOT COMMIT TO: {f.e['code']} {f.account['name']}", ""]
    estimate = f.estimate()
    if estimate is None:
        lines.append(
            "- A resolution date: engineering has given no estimate (the resolution plan has no "
            "open dated action; add one at " + f.links["actions"] + ")."
        )
    else:
        lines.append(f"- A resolution date earlier than {when(estimate)}, the resolution plan's "
                     "latest date; say it is an estimate.")  # fmt: skip
    pending = f.goodwill("requested")
    for g in pending:
        lines.append(f"- {g['kind']} {g['value']}: it awaits approval; do not mention it yet.")
    if not f.goodwill("approved", "offered"):
        lines.append(
            "- Any credit, contract extension or premium support: none is approved (propose one "
            f"for approval at {f.links['goodwill']})."
        )
    lines.append("- Roadmap items or feature dates: no roadmap commitment is on the record.")
    if not (f.e["root_cause"].strip() or f.e["initial_assessment"].strip()):
        lines.append("- A root cause: it is not established yet.")
    return "\n".join(lines)


def _offer(f: Facts) -> str:
    approved = f.goodwill("approved", "offered")
    if approved:
        return "; ".join(f"{g['kind']} {g['value']}" for g in approved) + " (approved)"
    return "no goodwill gesture is approved, so offer none; offer the plan and the checkpoints"


def _fix_date(f: Facts) -> str:
    estimate = f.estimate()
    if estimate is None:
        return (
            "we do not have an engineering estimate yet; I will give you one at the next checkpoint"
        )
    return f"the current estimate is {when(estimate)}, and I will tell you at once if it moves"


def executive_call(f: Facts) -> str:
    e = f.e
    long = e["severity"] in ("critical", "high")
    slots = [2, 8, 5, 5, 5, 5] if long else [1, 4, 3, 3, 2, 2]
    agenda = [
        "Opening and purpose",
        "Their view (listen)",
        "What happened and the root cause so far",
        "The plan and the checkpoints",
        "Options",
        "Close: one commitment",
    ]
    step = f.next_step()
    commitment = (
        f"{step['description'].rstrip('.')} by {when(datetime.fromisoformat(step['due_at']))}"
        if step
        else f.missing("the next step (an open action)", "actions")
    )
    statement = e["customer_statement"].strip()
    pairs = zip(agenda, slots, strict=True)
    return "\n".join([
        f"EXECUTIVE CALL PREPARATION: {e['code']} {f.account['name']} ({sum(slots)} minutes)",
        "",
        "Agenda:",
        *(f"{i}. {label} ({m} min)" for i, (label, m) in enumerate(pairs, 1)),
        "",
        f"Opening statement: Thank you for making the time, {f.contact_name}. I am {f.owner}. "
        f"Since {when(opened(f))}, {f.account['name']} has been affected by this: "
        f"{e['summary'].rstrip('.')}. That is not the service you pay for, and I own fixing it. "
        "I would like to hear your view first, then walk you through what we know, what we are "
        "doing, and what I will commit to today.",
        "",
        "When they vent: let them finish without interrupting; take notes; name the specific "
        "failure back to them" + (f' ("{statement}")' if statement else "") + "; do not defend, "
        "explain away or blame a team; then summarise what you heard and ask what matters most.",
        "",
        "Scenarios:",
        f"1. They demand a fix date. Response: {_fix_date(f)}.",
        f"2. They ask for compensation. Response: {_offer(f)}.",
        f"3. They mention cancelling or the renewal ({f.renewal}). Response: acknowledge it "
        "plainly, restate the plan and the next checkpoint, and offer a review with our "
        "leadership after the fix.",
        "",
        f"Close with one commitment: {commitment}. Confirm the next checkpoint and who attends.",
    ])  # fmt: skip


def difficult_conversation(f: Facts) -> str:
    e = f.e
    resolution = f.sla_minutes("resolution_minutes")
    late = resolution is not None and f.now > opened(f) + timedelta(minutes=resolution)
    estimate = f.estimate()
    if late:
        news = f"the fix is taking longer than our {hours(resolution)} resolution target"
    elif estimate is None:
        news = "we cannot promise a fix date yet"
    else:
        news = f"the fix will not land before {when(estimate)}"
    return "\n".join([
        f"DIFFICULT CONVERSATION: {e['code']} {f.account['name']} with {f.contact_name}",
        "",
        f"Opening: Thank you for taking my call. I want to give you a straight update on "
        f"{e['summary'].rstrip('.')}.",
        f"The news: {news}. Say it in the first minute, plainly, without softening words.",
        f"Why: {f.root_cause}.",
        "Their reaction: pause and let them respond; acknowledge the impact on them "
        f"({f.impact}); do not argue or over-explain.",
        f"What we offer: {_offer(f)}.",
        f"End constructively: agree the next checkpoint ({_reply_by(f)}) and that {f.owner} "
        "stays their single point of contact.",
    ])  # fmt: skip


def recovery_email(f: Facts) -> str:
    e = f.e
    long_term = [a for a in f.snap["actions"] if a["horizon"] == "long_term"]
    fix = (
        "; ".join(a["description"].rstrip(".") for a in long_term)
        if long_term
        else f.missing("the long-term prevention actions", "actions")
    )
    approved = f.goodwill("approved", "offered")
    offered = "; ".join(f"{g['kind']} {g['value']}" for g in approved)
    gesture = [f"As a goodwill gesture, we are offering {offered}.", ""] if approved else []
    statement = e["customer_statement"].strip()
    return "\n".join([
        f"Subject: {e['code']}: what went wrong, and what we have changed",
        "",
        f"Dear {f.contact_name},",
        "",
        f"Since {when(opened(f))}, {f.account['name']} has been affected by this: "
        f"{e['summary'].rstrip('.')}." + (f' You told us: "{statement}"' if statement else "")
        + " You were right to escalate it.",
        "",
        "That is on us, and I am sorry. The root cause was this: " + f.root_cause + ".",
        "",
        f"To fix the cause, not only this instance: {fix}.",
        "",
        *gesture,
        f"If anything like this happens again, contact me directly; I am {f.owner}, your "
        f"escalation owner. Your CSM, {f.account['csm'] or 'your account team'}, is copied.",
        "",
        "Regards,",
        f.owner,
    ])  # fmt: skip


KINDS = {
    "first_response": first_response,
    "timeline": resolution_timeline,
    "no_commit": must_not_commit,
    "exec_call": executive_call,
    "difficult": difficult_conversation,
    "recovery": recovery_email,
}


def compose(kind: str, snap: dict, *, brief_max_words: int) -> Composed:
    f = Facts(snap)
    body = internal_brief(f, brief_max_words) if kind == "internal_brief" else KINDS[kind](f)
    return Composed(body, f.gaps)


def word_count(text: str) -> int:
    return len(words(text))


def split_words(text: str) -> list[str]:
    return [w.strip().lower() for w in (text or "").split(",") if w.strip()]


def blame_words(text: str, blame: list[str]) -> list[str]:
    """The blame words (whole words or phrases) the text uses, in list order."""
    lowered = (text or "").lower()
    return [w for w in blame if re.search(rf"\b{re.escape(w)}\b", lowered)]


def brief_refusal(text: str, max_words: int) -> str:
    """Why an edited internal brief cannot be saved ("" if it can)."""
    count = word_count(text)
    if count > max_words:
        return f"The internal brief has {count} words; keep it within {max_words}."
    return ""
