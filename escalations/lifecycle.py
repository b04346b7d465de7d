"""The escalation lifecycle as pure rules: which moves are allowed, and when one is
not, a sentence saying why. No database access; the caller loads the escalation, its
post-mortem status and the policies, and passes `now`.

Open → Acknowledged → In progress → Resolved → Closed. An escalation may be resolved
or closed from any open status (closing asks for the customer's confirmation or a
reason, and a post-mortem where the severity requires one); Resolved or Closed can be
re-opened within the policy's days of closing (a re-escalation)."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from escalations.models import Escalation

S = Escalation.Status
REOPENED = "reopened"
TARGETS = (S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED, S.CLOSED, REOPENED)
# Where each target may be reached from.
ALLOWED_FROM = {
    S.ACKNOWLEDGED: {S.OPEN},
    S.IN_PROGRESS: {S.OPEN, S.ACKNOWLEDGED},
    S.RESOLVED: {S.OPEN, S.ACKNOWLEDGED, S.IN_PROGRESS},
    S.CLOSED: {S.OPEN, S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED},
    REOPENED: {S.RESOLVED, S.CLOSED},
}
TARGET_LABELS = {
    S.ACKNOWLEDGED: "acknowledge",
    S.IN_PROGRESS: "start work on",
    S.RESOLVED: "resolve",
    S.CLOSED: "close",
    REOPENED: "re-open",
}


@dataclass(frozen=True)
class Move:
    """The outcome of a requested move: the new status and what to record, or a refusal."""

    to: str  # the target as asked ("reopened" included)
    status: str = ""  # the status it leaves the escalation in
    reason: str = ""  # set when refused: one sentence saying why

    @property
    def allowed(self) -> bool:
        return not self.reason


@dataclass(frozen=True)
class Closing:
    """What closing needs: a complete post-mortem for some severities, the customer's
    confirmation or a reason."""

    post_mortem_required: bool = False
    post_mortem_status: str = "missing"
    customer_confirmed: bool = False
    reason: str = ""


def closed_since(escalation: Escalation) -> datetime | None:
    """When a Resolved/Closed escalation stopped: its latest closing, else its resolution."""
    return escalation.closed_at or escalation.resolved_at


def decide(
    escalation: Escalation,
    to: str,
    now: datetime,
    *,
    reopen_days: int,
    closing: Closing = Closing(),
) -> Move:
    """May `escalation` move to `to` now? The status it ends in, or why not."""
    code, status = escalation.code, escalation.status
    if to not in TARGETS:
        return Move(to, reason=f"“{to}” is not a step of the lifecycle.")
    if to == status:
        return Move(to, reason=f"{code} is already {escalation.get_status_display().lower()}.")
    if status not in ALLOWED_FROM[to]:
        label = Escalation.Status(status).label.lower()
        if to == REOPENED:
            return Move(to, reason=f"{code} is {label}: only a resolved or closed one re-opens.")
        if status in Escalation.CLOSED_STATUSES:
            return Move(
                to, reason=f"{code} is {label}: re-open it before you {TARGET_LABELS[to]} it."
            )
        return Move(to, reason=f"{code} is {label}: it cannot go back to {to.replace('_', ' ')}.")
    if to == REOPENED:
        since = closed_since(escalation)
        if since is not None and now - since > timedelta(days=reopen_days):
            return Move(
                to,
                reason=f"{code} closed {(now - since).days} days ago; an escalation can be "
                f"re-opened within {reopen_days} days of closing. Open a new one instead.",
            )
        return Move(to, status=S.OPEN)
    if to == S.CLOSED:
        refusal = closing_refusal(escalation, closing)
        if refusal:
            return Move(to, reason=refusal)
    return Move(to, status=to)


def closing_refusal(escalation: Escalation, closing: Closing) -> str:
    """Why it cannot close yet ("" if it can)."""
    if closing.post_mortem_required and closing.post_mortem_status != "complete":
        return (
            f"A {escalation.get_severity_display()} escalation cannot close without a complete "
            f"post-mortem (it is {closing.post_mortem_status})."
        )
    if not closing.customer_confirmed and not closing.reason.strip():
        return "Closing needs the customer's confirmation or a reason for closing without it."
    return ""


def split_words(words: str) -> list[str]:
    return [w.strip().lower() for w in words.split(",") if w.strip()]


def classify(text: str, commercial_words: list[str]) -> tuple[str, str]:
    """The type of an automatic escalation from a ticket's text, and why: a commercial
    word (whole word, plural or not) makes it Commercial, anything else Technical."""
    lowered = text.lower()
    for word in commercial_words:
        if re.search(rf"\b{re.escape(word)}(e?s)?\b", lowered):
            return Escalation.Type.COMMERCIAL, f"Commercial: the ticket mentions “{word}”."
    return Escalation.Type.TECHNICAL, "Technical: the ticket mentions no billing or contract word."
