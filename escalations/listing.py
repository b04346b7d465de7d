"""The escalations list as a queryset, its whitelisted filters, and the per-row SLA
and matrix facts (loaded once per page, never per row).

Only the fields of EscalationFilters reach the ORM: an unknown parameter is ignored and
a value outside a field's choices is dropped (the page names the ignored filter)."""

from datetime import datetime, timedelta

from django import forms
from django.db.models import Case, DateTimeField, DurationField, F, Q, Value, When
from django.http import QueryDict

from escalations import sla
from escalations.models import Escalation, EscalationMatrixLevel, Severity, SeverityPolicy
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
            q[key] = "on" if value is True else value
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
    qs = Escalation.objects.select_related("account", "owner")
    status = filters.get("status")
    if status == "open":
        qs = qs.exclude(CLOSED)
    elif status == "closed":
        qs = qs.filter(CLOSED)
    elif status != "all":
        qs = qs.filter(~CLOSED | Q(closed_at__gte=now - RECENTLY_CLOSED))
    if filters.get("severity"):
        qs = qs.filter(severity=filters["severity"])
    if filters.get("type"):
        qs = qs.filter(type=filters["type"])
    if filters.get("mine"):
        qs = qs.filter(Q(owner=user) | Q(account__csm=user))
    response = _minutes_by_severity(policies, "response_minutes")
    resolution = _minutes_by_severity(policies, "resolution_minutes")
    return qs.annotate(
        is_closed=Case(When(CLOSED, then=Value(1)), default=Value(0)),
        next_due=Case(
            When(CLOSED, then=Value(None)),
            When(acknowledged_at__isnull=True, then=F("opened_at") + response),
            default=F("opened_at") + resolution,
            output_field=DateTimeField(),
        ),
    ).order_by(
        "is_closed",
        F("next_due").asc(nulls_last=True),
        F("closed_at").desc(nulls_last=True),
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
    """Attach .response and .resolution clocks (sla.due_times)."""
    closed_at = escalation.closed_at
    times = sla.due_times(
        escalation.opened_at,
        escalation.acknowledged_at,
        closed_at,
        policies.get(escalation.severity),
        now,
    )
    escalation.response = Clock(
        times.response_due,
        escalation.acknowledged_at or closed_at,
        times.response_breached,
        now,
        "acknowledged" if escalation.acknowledged_at else "closed",
    )
    escalation.resolution = Clock(
        times.resolution_due, closed_at, times.resolution_breached, now, "closed"
    )
    return escalation
