"""Writes on post-mortems and their follow-up actions; each records an event on the
escalation's timeline in the same transaction. Completing checks rules.completion_errors
(and raises Incomplete with them), so the escalation's close gate (lifecycle.Closing)
only ever sees "complete" on a post-mortem that has every required field."""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from escalations.actions import Refused, _name, record
from escalations.models import (
    Escalation,
    EscalationEvent,
    FollowUp,
    PostMortem,
    PostMortemPolicy,
    ProblemGroup,
    RootCauseCategory,
)
from escalations.postmortems import rules

Kind = EscalationEvent.Kind
FIELDS = (
    "executive_summary",
    "went_well",
    "do_differently",
    "recommendation",
    "root_cause_category",
    "root_cause",
    "customer_outcome",
    "arr_retained",
    "arr_lost",
    "systemic",
)


class Incomplete(Exception):
    """Completing was refused; .errors maps each field to what it still needs."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def timeline_rows(escalation: Escalation) -> list[rules.Row]:
    """The escalation's events as timeline rows (alerts left out: they repeat events)."""
    return [
        rules.Row(at=e.at, text=e.text or e.get_kind_display())
        for e in escalation.events.exclude(kind=Kind.ALERT).order_by("at", "id")
    ]


def as_json(rows: list[rules.Row]) -> list[dict]:
    return [{"at": r.at.isoformat(), "text": r.text, "pinned": r.pinned} for r in rows]


def from_json(rows: list[dict]) -> list[rules.Row]:
    return [
        rules.Row(datetime.fromisoformat(r["at"]), r["text"], bool(r.get("pinned"))) for r in rows
    ]


def prefilled(escalation: Escalation) -> PostMortem:
    """A new (unsaved) post-mortem pre-filled from the record: the events as its
    timeline, the escalation's root cause so far."""
    return PostMortem(
        escalation=escalation,
        root_cause=escalation.root_cause,
        timeline=as_json(timeline_rows(escalation)),
    )


def completion_values(pm: PostMortem, factors: list[RootCauseCategory], follow_ups: int):
    return rules.Values(
        **{f: getattr(pm, f) for f in FIELDS},
        timeline_rows=len(pm.timeline),
        contributing_factors=len(factors),
        follow_ups=follow_ups,
    )


def completion_errors(pm: PostMortem, factors, follow_ups: int) -> dict[str, str]:
    policy = PostMortemPolicy.load()
    return rules.completion_errors(
        completion_values(pm, factors, follow_ups),
        max_sentences=policy.summary_max_sentences,
        vague_phrases=rules.split_lines(policy.vague_phrases),
        min_words=policy.recommendation_min_words,
    )


def save(
    escalation: Escalation,
    *,
    by,
    values: dict,
    factors: list[RootCauseCategory],
    timeline: list[rules.Row],
    complete: bool,
    now: datetime | None = None,
) -> PostMortem:
    """Save the post-mortem as a draft, or as complete when every required field is
    there (else Incomplete, and nothing is saved)."""
    now = now or timezone.now()
    with transaction.atomic():
        pm = PostMortem.objects.select_for_update().filter(escalation=escalation).first()
        pm = pm or prefilled(escalation)
        was = pm.status
        for f in FIELDS:
            setattr(pm, f, values[f])
        pm.timeline = as_json(timeline)
        if complete:
            errors = completion_errors(pm, factors, pm.follow_ups.count() if pm.pk else 0)
            if errors:
                raise Incomplete(errors)
        pm.status = PostMortem.Status.COMPLETE if complete else PostMortem.Status.DRAFT
        pm.completed_at = now if complete else None
        pm.updated_at, pm.updated_by = now, by
        pm.save()
        pm.contributing_factors.set(factors)
        verb = "completed" if complete else "saved as a draft"
        record(
            escalation,
            Kind.POST_MORTEM,
            at=now,
            actor=by,
            from_value=was,
            to_value=pm.status,
            text=f"Post-mortem {verb} by {_name(by)}.",
        )
    return pm


def add_follow_up(
    escalation: Escalation, *, by, description: str, owner, due_on: date, now=None
) -> FollowUp:
    """A follow-up action (the post-mortem starts as a draft if there was none)."""
    now = now or timezone.now()
    with transaction.atomic():
        pm = PostMortem.objects.select_for_update().filter(escalation=escalation).first()
        if pm is None:
            pm = prefilled(escalation)
            pm.status, pm.updated_at, pm.updated_by = PostMortem.Status.DRAFT, now, by
            pm.save()
        elif pm.status == PostMortem.Status.MISSING:
            PostMortem.objects.filter(pk=pm.pk).update(status=PostMortem.Status.DRAFT)
        item = FollowUp.objects.create(
            post_mortem=pm, description=description, owner=owner, due_on=due_on, created_at=now
        )
        record(
            escalation,
            Kind.POST_MORTEM,
            at=now,
            actor=by,
            to_value=FollowUp.Status.OPEN,
            text=f"Follow-up action (owner {_name(owner)}, due {due_on:%Y-%m-%d}): {description}",
        )
    return item


def close_follow_up(item: FollowUp, *, by, status: str, reason: str = "", now=None) -> FollowUp:
    """Mark an open follow-up done, or won't do with a reason; one decision wins."""
    now = now or timezone.now()
    if status == FollowUp.Status.WONT_DO and not reason.strip():
        raise Refused("Say why this action will not be done.")
    if status not in (FollowUp.Status.DONE, FollowUp.Status.WONT_DO):
        raise Refused("A follow-up action is either done or won't be done.")
    with transaction.atomic():
        updated = FollowUp.objects.filter(pk=item.pk, status=FollowUp.Status.OPEN).update(
            status=status, reason=reason.strip(), closed_at=now
        )
        if updated != 1:
            raise Refused("This action was closed meanwhile; reload the page.")
        label = FollowUp.Status(status).label
        record(
            item.post_mortem.escalation,
            Kind.POST_MORTEM,
            at=now,
            actor=by,
            from_value=FollowUp.Status.OPEN,
            to_value=status,
            text=f"Follow-up {label.lower()} by {_name(by)}: {item.description}"
            + (f" (why not: {reason.strip()})" if reason.strip() else ""),
        )
    item.refresh_from_db()
    return item


def link_same_problem(escalation: Escalation, other: Escalation, *, by, now=None) -> ProblemGroup:
    """Group two escalations as one problem: into the group either already has (merging
    two groups into the older one), else a new group; both timelines say so."""
    now = now or timezone.now()
    if escalation.pk == other.pk:
        raise Refused("An escalation is already its own problem.")
    with transaction.atomic():
        pair = list(
            Escalation.objects.select_for_update()
            .filter(pk__in=[escalation.pk, other.pk])
            .values_list("problem_id", flat=True)
        )
        groups = sorted({g for g in pair if g is not None})
        if groups:
            group = ProblemGroup.objects.get(pk=groups[0])
            Escalation.objects.filter(problem_id__in=groups[1:]).update(problem=group)
        else:
            group = ProblemGroup.objects.create(created_at=now, created_by=by)
        Escalation.objects.filter(pk__in=[escalation.pk, other.pk]).update(problem=group)
        for a, b in ((escalation, other), (other, escalation)):
            record(
                a,
                Kind.POST_MORTEM,
                at=now,
                actor=by,
                to_value=group.pk,
                text=f"Linked by {_name(by)} as the same problem as {b.code} ({b.account.name}).",
            )
    escalation.problem = other.problem = group
    return group
