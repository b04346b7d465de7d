"""Which follow-up tasks a VIP ticket needs, and when each is due (pure: no database).

SPEC "VIP follow-up cadence" (seed 002 "Follow-up requirements"), every number an
admin-edited FollowUpPolicy row (kind × tier; no row, no task):
- every VIP ticket: a follow-up check after its first response, even when resolved;
- Tier 1: a personal call from the agent after the resolution;
- Tier 1–2: a resolution summary e-mail after the resolution, with a draft built
  from the ticket (issue, cause, fix, what happens next, direct contact).
The agent owns them (the CSM when no agent has the ticket); the agent's pool lead is
alerted when they run overdue (vipdesk/tasks/jobs.py).
"""

from dataclasses import dataclass
from datetime import datetime

from tickets.models import Calendar
from vipdesk.lib.business_hours import BusinessCalendar, add_minutes
from vipdesk.tasks.models import Task
from vipdesk.tasks.raising import TaskSpec

FROM_FIRST_RESPONSE = {Task.Kind.FOLLOW_UP_CHECK}


@dataclass(frozen=True)
class FollowUpRule:
    kind: str
    tier: int
    due_within_minutes: int
    calendar: str


@dataclass(frozen=True)
class TicketFacts:
    id: int
    subject: str
    body: str
    tier: int
    account_id: int | None
    account_name: str
    csm_id: int | None
    requester_name: str
    first_response_at: datetime | None
    resolved_at: datetime | None
    agent_user_id: int | None = None
    agent_name: str = ""
    agent_email: str = ""
    lead_id: int | None = None
    last_agent_message: str = ""


def _first_sentence(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    end = text.find(". ")
    text = text if end == -1 else text[: end + 1]
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summary_draft(ticket: TicketFacts, check_due: datetime | None, tz) -> str:
    """The resolution summary e-mail, to edit before sending."""
    greeting = ticket.requester_name.split()[0] if ticket.requester_name.strip() else "there"
    issue = ticket.subject + (f" — {_first_sentence(ticket.body)}" if ticket.body.strip() else "")
    fix = _first_sentence(ticket.last_agent_message) or "[what we changed]"
    resolved = ticket.resolved_at.astimezone(tz).strftime("%a %d %b %H:%M")
    nxt = (
        f"I will check back with you by {check_due.astimezone(tz):%a %d %b %H:%M} "
        "to make sure everything still works."
        if check_due
        else "I will check back with you shortly to make sure everything still works."
    )
    contact = ticket.agent_name or "your support team"
    if ticket.agent_email:
        contact += f", {ticket.agent_email}"
    return (
        f"Subject: Resolved: {ticket.subject} (ticket #{ticket.id})\n\n"
        f"Hi {greeting},\n\n"
        f"Here is a summary of your ticket, resolved {resolved}.\n\n"
        f"Issue: {issue}\n"
        "Cause: [what caused it]\n"
        f"Fix: {fix}\n"
        f"What happens next: {nxt}\n"
        f"Direct contact: {contact} — reply to this e-mail or write to me directly.\n\n"
        f"Best regards,\n{ticket.agent_name or 'Support'}"
    )


def _title(kind: str, ticket: TicketFacts) -> str:
    who = ticket.requester_name or ticket.account_name or "the customer"
    label = {
        Task.Kind.FOLLOW_UP_CHECK: f"Follow-up check with {who}",
        Task.Kind.PERSONAL_CALL: f"Call {who} about the resolution",
        Task.Kind.RESOLUTION_SUMMARY: f"Send {who} the resolution summary",
    }[kind]
    return f"{label} (#{ticket.id} {ticket.subject})"


def follow_ups(
    ticket: TicketFacts,
    rules: list[FollowUpRule],
    business: BusinessCalendar,
    always: BusinessCalendar,
) -> list[TaskSpec]:
    """The follow-up tasks the ticket needs now (each created once by its key)."""
    due: dict[str, datetime] = {}
    for rule in rules:
        if rule.tier != ticket.tier:
            continue
        start = ticket.first_response_at if rule.kind in FROM_FIRST_RESPONSE else ticket.resolved_at
        if start is not None:
            calendar = always if rule.calendar == Calendar.ALWAYS else business
            due[rule.kind] = add_minutes(start, rule.due_within_minutes, calendar)
    return [
        TaskSpec(
            kind=kind,
            key=f"ticket:{ticket.id}:{kind}",
            title=_title(kind, ticket),
            due_at=at,
            owner_id=ticket.agent_user_id or ticket.csm_id,
            lead_id=ticket.lead_id,
            account_id=ticket.account_id,
            ticket_id=ticket.id,
            link=f"/tickets/{ticket.id}/",
            draft=(
                summary_draft(ticket, due.get(Task.Kind.FOLLOW_UP_CHECK), business.tz)
                if kind == Task.Kind.RESOLUTION_SUMMARY
                else ""
            ),
        )
        for kind, at in due.items()
    ]


def closing_refusal(is_vip: bool, confirmed_by: str, confirmed_via: str, reason: str) -> str | None:
    """Why a ticket may not be closed yet, or None. A VIP ticket is closed only with the
    customer's confirmation (who and how) or a recorded reason (seed 002 "Prohibited
    actions": never close a ticket without customer confirmation)."""
    if not is_vip or reason.strip():
        return None
    if confirmed_by.strip() and confirmed_via:
        return None
    if confirmed_by.strip():
        return "Say how the customer confirmed the resolution (e-mail, phone, chat or meeting)."
    return (
        "A VIP ticket is closed only with the customer's confirmation: record who confirmed "
        "and how, or the reason for closing without it."
    )
