"""Which open tickets to warn about and which have breached their SLA (pure).

Due times come from routing, already on the ticket's calendar (business hours or
24/7), so a ticket due Monday 09:10 is never inside its warning window over the
weekend. The warning window is real minutes before the due time
(RoutingPolicy.sla_warning_minutes).

Nothing here remembers "the last run": every open ticket whose due time is already
past and not yet marked is breached now, so runs the scheduler missed are caught up.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"
WARN = "warn"
BREACH = "breach"

KIND_LABEL = {FIRST_RESPONSE: "first response", RESOLUTION: "resolution"}


@dataclass(frozen=True)
class SlaClock:
    """One SLA (first response or resolution) of one open ticket."""

    ticket_id: int
    kind: str
    due: datetime | None
    met: bool  # answered (first response) or resolved
    warned: bool
    breached: bool


@dataclass(frozen=True)
class SlaEvent:
    ticket_id: int
    kind: str
    action: str  # WARN or BREACH
    due: datetime
    # Escalate one level: once per ticket and SLA, on the warning, or on the breach
    # when the warning was missed (scheduler down, or created already late).
    escalate: bool


def decide(clocks: list[SlaClock], now: datetime, warning_minutes: int) -> list[SlaEvent]:
    window = timedelta(minutes=warning_minutes)
    events = []
    for clock in clocks:
        if clock.due is None or clock.met:
            continue
        if clock.due <= now:
            if not clock.breached:
                events.append(
                    SlaEvent(clock.ticket_id, clock.kind, BREACH, clock.due, not clock.warned)
                )
        elif clock.due - window <= now and not clock.warned:
            events.append(SlaEvent(clock.ticket_id, clock.kind, WARN, clock.due, True))
    return events


def clocks_of(ticket) -> list[SlaClock]:
    """The two SLA clocks of a Ticket (or anything with the same attributes)."""
    return [
        SlaClock(
            ticket.pk,
            FIRST_RESPONSE,
            ticket.sla_first_response_due,
            ticket.first_response_at is not None,
            ticket.first_response_warned_at is not None,
            ticket.first_response_breached_at is not None,
        ),
        SlaClock(
            ticket.pk,
            RESOLUTION,
            ticket.sla_resolution_due,
            ticket.resolved_at is not None,
            ticket.resolution_warned_at is not None,
            ticket.resolution_breached_at is not None,
        ),
    ]


def describe(event: SlaEvent, subject: str, now: datetime) -> tuple[str, str]:
    """Title and body of the alert for an event."""
    label = KIND_LABEL[event.kind]
    if event.action == WARN:
        minutes = max(0, round((event.due - now).total_seconds() / 60))
        return (
            f"SLA warning: #{event.ticket_id} {label} due in {minutes} min",
            f"“{subject}”: the {label} SLA breaches at {event.due:%Y-%m-%d %H:%M} UTC. "
            "The ticket was escalated one level.",
        )
    return (
        f"SLA breached: #{event.ticket_id} {label} was due {event.due:%Y-%m-%d %H:%M} UTC",
        f"“{subject}”: the {label} SLA breached at {event.due:%Y-%m-%d %H:%M} UTC.",
    )
