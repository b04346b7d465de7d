"""Writes on drafts: build one from a frozen snapshot of the record, edit it, log it as
sent into the communication log (escalations.actions.log_communication, which also
writes the timeline). Each write records an event in the same transaction."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from escalations.actions import Refused, _name, log_communication, record
from escalations.drafts import compose
from escalations.drafts import record as records
from escalations.models import Draft, DraftPolicy, Escalation, EscalationEvent

Kind = EscalationEvent.Kind


def generate(escalation: Escalation, kind: str, *, by, now: datetime | None = None) -> Draft:
    now = now or timezone.now()
    snap = records.snapshot(escalation, now)
    composed = compose.compose(kind, snap, brief_max_words=DraftPolicy.load().brief_max_words)
    with transaction.atomic():
        draft = Draft.objects.create(
            escalation=escalation,
            kind=kind,
            body=composed.body,
            snapshot=snap,
            gaps=[{"label": g.label, "url": g.url} for g in composed.gaps],
            created_at=now,
            created_by=by,
            updated_at=now,
        )
        missing = f" ({len(composed.gaps)} facts missing)" if composed.gaps else ""
        record(
            escalation,
            Kind.DRAFT,
            at=now,
            actor=by,
            to_value=kind,
            text=f"{draft.get_kind_display()} drafted by {_name(by)} from the record{missing}.",
        )
    return draft


def edit(draft: Draft, *, body: str, by, now=None) -> Draft:
    """Save the edited text; an internal brief over the word limit is refused."""
    now = now or timezone.now()
    if draft.kind == Draft.Kind.INTERNAL_BRIEF:
        refusal = compose.brief_refusal(body, DraftPolicy.load().brief_max_words)
        if refusal:
            raise Refused(refusal)
    updated = Draft.objects.filter(pk=draft.pk, sent_at__isnull=True).update(
        body=body, updated_at=now
    )
    if updated != 1:
        raise Refused("This draft was logged as sent; it no longer changes.")
    draft.body, draft.updated_at = body, now
    return draft


def log_sent(draft: Draft, *, by, type: str, recipient: str, to_customer: bool, now=None):
    """Log the draft's text as sent (once) in the communication log."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Draft.objects.filter(pk=draft.pk, sent_at__isnull=True).update(sent_at=now)
        if claimed != 1:
            raise Refused("This draft was already logged as sent.")
        if draft.kind == Draft.Kind.INTERNAL_BRIEF:
            refusal = compose.brief_refusal(draft.body, DraftPolicy.load().brief_max_words)
            if refusal:
                raise Refused(refusal)
        communication = log_communication(
            draft.escalation,
            by=by,
            at=now,
            type=type,
            to_customer=to_customer,
            recipient=recipient,
            summary=f"{draft.get_kind_display()} (draft {draft.pk}):\n{draft.body}",
            now=now,
        )
        Draft.objects.filter(pk=draft.pk).update(communication=communication)
    draft.refresh_from_db()
    return draft
