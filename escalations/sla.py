"""Escalation SLA clocks: pure functions, no database access (the caller loads the
SeverityPolicy). Wall-clock time: escalations run 24/7, the clock never pauses.

- The response clock runs from opened_at until the escalation is acknowledged (or
  closed without an acknowledgement); the resolution clock until it is closed.
- A stopped clock is judged by when it stopped: an escalation closed in time is never
  reported breached later, however late `now` is.
- The live clocks run from the latest re-opening (reports judge from opened_at).
- Guardrail clocks: acknowledge within the policy's minutes; for severities with an
  update clock (Critical: 4 h) the next customer update is due that long after the last
  logged customer communication (or the start).
"""

from datetime import datetime, timedelta
from typing import NamedTuple, Protocol

WARNING_WINDOW = timedelta(hours=1)


class Policy(Protocol):
    response_minutes: int
    resolution_minutes: int


class DueTimes(NamedTuple):
    response_due: datetime | None
    resolution_due: datetime | None
    response_breached: bool
    resolution_breached: bool


def due_times(
    escalation_opened_at: datetime,
    acknowledged_at: datetime | None,
    closed_at: datetime | None,
    policy: Policy | None,
    now: datetime,
) -> DueTimes:
    """(response_due, resolution_due, response_breached, resolution_breached).
    No policy for the severity (an admin deleted it): no due times, nothing breached."""
    if policy is None:
        return DueTimes(None, None, False, False)
    response_due = escalation_opened_at + timedelta(minutes=policy.response_minutes)
    resolution_due = escalation_opened_at + timedelta(minutes=policy.resolution_minutes)
    responded_at = acknowledged_at or closed_at
    return DueTimes(
        response_due,
        resolution_due,
        (responded_at or now) > response_due,
        (closed_at or now) > resolution_due,
    )


def clock_start(escalation) -> datetime:
    """The live clocks restart from the latest re-opening."""
    return escalation.reopened_at or escalation.opened_at


def stopped_at(escalation) -> datetime | None:
    """When the live resolution clock stopped (latest resolution, else closing)."""
    return escalation.resolved_at or escalation.closed_at


def responded_at(escalation) -> datetime | None:
    """When the live response clock stopped: an acknowledgement after the latest
    (re-)opening; an escalation that left Open without one stopped when it ended (or,
    re-acknowledged after a re-opening, at the re-opening: acknowledged_at keeps the first)."""
    start = clock_start(escalation)
    if escalation.acknowledged_at is not None and escalation.acknowledged_at >= start:
        return escalation.acknowledged_at
    if escalation.status == "open":
        return None
    return stopped_at(escalation) or start


def live_due_times(escalation, policy: Policy | None, now: datetime) -> DueTimes:
    """due_times from the latest (re-)opening."""
    return due_times(
        clock_start(escalation), responded_at(escalation), stopped_at(escalation), policy, now
    )


def customer_update_due(escalation, minutes: int | None) -> datetime | None:
    """When the next customer update is due on an open escalation (None: no clock)."""
    if minutes is None or escalation.status in ("resolved", "closed"):
        return None
    start = clock_start(escalation)
    last = escalation.last_customer_update_at
    return max(start, last or start) + timedelta(minutes=minutes)


def clock_state(
    due: datetime | None,
    stopped_at: datetime | None,
    breached: bool,
    now: datetime,
    warning: timedelta = WARNING_WINDOW,
) -> str:
    """How to show one clock: "none" (no SLA), "breached", "met" (stopped in time),
    "warning" (running, due within `warning`) or "ok" (running)."""
    if due is None:
        return "none"
    if breached:
        return "breached"
    if stopped_at is not None:
        return "met"
    return "warning" if due - now <= warning else "ok"
