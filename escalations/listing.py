"""The escalations list as a queryset, its whitelisted filters, and the per-row SLA
and matrix facts (loaded once per page, never per row).

Only the fields of EscalationFilters reach the ORM: an unknown parameter is ignored and
a value outside a field's choices is dropped (the page names the ignored filter)."""

from datetime import datetime, timedelta

from django import forms
from django.db.models import Case, DateTimeField, DurationField, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce
from django.http import QueryDict

from escalations import sla
from escalations.forms import PersonChoiceField, staff
from escalations.models import Action, Escalation, EscalationMatrixLevel, Severity, SeverityPolicy
from vipdesk.lib.pagination import MAX_PAGE

RECENTLY_CLOSED = timedelta(days=30)
CLOSED = Q(status__in=Escalation.CLOSED_STATUSES)


class EscalationFilters(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Open and recently closed"),
            ("open", "Open"),
            ("closed", "Closed"),
            ("all", "All"),
        ],
    )
    severity = forms.ChoiceField(required=False, choices=[("", "Any severity"), *Severity.choices])
    type = forms.ChoiceField(required=False, choices=[("", "Any type"), *Escalation.Type.choices])
    mine = forms.BooleanField(
        required=False, label="Only mine", help_text="I own it or I am the account's CSM."
    )
    owner = PersonChoiceField(queryset=staff(), required=False, empty_label="Any owner")
    account = forms.CharField(
        required=False, max_length=100, help_text="An account's name (or part of it) or id."
    )
    overdue = forms.BooleanField(
        required=False, help_text="Open, with an SLA past due or an action past due."
    )
    reescalated = forms.BooleanField(required=False, label="Re-escalated")
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def values(self) -> dict:
        """The valid filters only; an invalid field counts as not given."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if k not in self.errors}


def querystring(values: dict) -> str:
    """The valid filters as a query string, without the page (pager links add it)."""
    q = QueryDict(mutable=True)
    for key, value in values.items():
        if key != "page" and value not in (None, "", False):
            q[key] = "on" if value is True else getattr(value, "pk", value)
    return q.urlencode()


def load_policies() -> dict[str, SeverityPolicy]:
    return {p.severity: p for p in SeverityPolicy.objects.all()}


def load_matrix(severity: str | None = None) -> dict[tuple[str, int], str]:
    """(severity, level) -> owners, e.g. ("critical", 1) -> "VP CS + VP Eng"."""
    qs = EscalationMatrixLevel.objects.all()
    if severity is not None:
        qs = qs.filter(severity=severity)
    return {(m.severity, m.level): m.owners for m in qs}


def _minutes_by_severity(policies: dict[str, SeverityPolicy], field: str):
    whens = [
        When(severity=severity, then=Value(timedelta(minutes=getattr(policy, field))))
        for severity, policy in policies.items()
    ]
    if not whens:
        return Value(None, output_field=DurationField())
    return Case(*whens, default=None, output_field=DurationField())


def escalation_queryset(filters: dict, user, policies: dict, now: datetime):
    """Open escalations first, the one whose running SLA clock is due soonest on top
    (the response clock until acknowledged, then the resolution clock); then closed
    ones, most recently closed first. The due times are the same arithmetic as
    sla.due_times, in SQL, so the ordering holds across pages."""
    qs = Escalation.objects.annotate(ended=Coalesce("closed_at", "resolved_at"))
    status = filters.get("status")
    if status == "open":
        qs = qs.exclude(CLOSED)
    elif status == "closed":
        qs = qs.filter(CLOSED)
    elif status != "all":
        qs = qs.filter(~CLOSED | Q(ended__gte=now - RECENTLY_CLOSED))
    if filters.get("severity"):
        qs = qs.filter(severity=filters["severity"])
    if filters.get("type"):
        qs = qs.filter(type=filters["type"])
    if filters.get("mine"):
        qs = qs.filter(Q(owner=user) | Q(account__csm=user))
    if filters.get("owner"):
        qs = qs.filter(owner=filters["owner"])
    account = (filters.get("account") or "").strip()
    if account:
        qs = (
            qs.filter(account_id=int(account))
            if account.isdigit()
            else qs.filter(account__name__icontains=account)
        )
    if filters.get("reescalated"):
        qs = qs.filter(reopen_count__gt=0)
    response = _minutes_by_severity(policies, "response_minutes")
    resolution = _minutes_by_severity(policies, "resolution_minutes")
    start = Coalesce("reopened_at", "opened_at")
    qs = qs.annotate(
        is_closed=Case(When(CLOSED, then=Value(1)), default=Value(0)),
        next_due=Case(
            When(CLOSED, then=Value(None)),
            When(status=Escalation.Status.OPEN, then=start + response),
            default=start + resolution,
            output_field=DateTimeField(),
        ),
    )
    if filters.get("overdue"):
        late_action = Action.objects.filter(
            escalation=OuterRef("pk"), status=Action.Status.OPEN, due_at__lt=now
        )
        qs = qs.exclude(CLOSED).filter(Q(next_due__lt=now) | Exists(late_action))
    return qs.order_by(
        "is_closed",
        F("next_due").asc(nulls_last=True),
        F("ended").desc(nulls_last=True),
        "-opened_at",
        "-id",
    )


class Clock:
    """One SLA clock as the templates show it."""

    def __init__(self, due, stopped_at, breached: bool, now: datetime, stopped_label: str = ""):
        self.due = due
        self.stopped_at = stopped_at
        self.stopped_label = stopped_label
        self.state = sla.clock_state(due, stopped_at, breached, now)


def annotate_sla(escalation: Escalation, policies: dict, now: datetime) -> Escalation:
    """Attach the live .response and .resolution clocks (sla.live_due_times)."""
    times = sla.live_due_times(escalation, policies.get(escalation.severity), now)
    escalation.response = Clock(
        times.response_due,
        sla.responded_at(escalation),
        times.response_breached,
        now,
        "acknowledged" if escalation.acknowledged_at else escalation.get_status_display().lower(),
    )
    escalation.resolution = Clock(
        times.resolution_due,
        sla.stopped_at(escalation),
        times.resolution_breached,
        now,
        "resolved" if escalation.resolved_at else "closed",
    )
    return escalation
