"""The escalation report: the six metrics of SPEC "Metric definitions", with targets,
breakdowns and the monthly trend. The page, GET /api/v1/reports/escalations and its CSV
all come from here, so they agree.

A report covers the escalations *opened* in [start, end) — dates in TIME_ZONE —
optionally filtered by tier, type, severity and CSM. The per-escalation rules are Q
objects over two annotations (res_end: final resolution, else closing; res_due: opening
+ the severity's resolution SLA); the database sums them per group in one query
(`totals`), and `figures` turns the sums into means and shares (null when there is
nothing to average). Wall-clock hours throughout; `now` is a parameter.

The API and the CSVs always read live. The page reads the same sums for whole months
from a rollup (EscalationMonthTotals, rewritten every 10 minutes by `refresh_trend`,
judging open escalations as of its computation) and the days around them live; it says
when the rollup was computed. The systemic view's quarterly counts come from the same
job (EscalationMonthCount)."""

import hashlib
import re
from collections import defaultdict
from dataclasses import asdict, astuple, dataclass, fields
from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    F,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce, NullIf, TruncMonth
from django.http import QueryDict
from django.utils import timezone

from accounts.models import Account, Tier
from escalations.models import (
    Escalation,
    EscalationMonthCount,
    EscalationMonthTotals,
    PostMortem,
    ReportPolicy,
    Severity,
    SeverityPolicy,
)
from vipdesk.lib.roles import Role
from vipdesk.lib.tables import Table, percent, rounded

CLOSED = Q(status__in=Escalation.CLOSED_STATUSES)
RESOLVED = CLOSED & Q(res_end__isnull=False)
ACKNOWLEDGED = Q(acknowledged_at__isnull=False)
REOPENED = Q(reopen_count__gt=0)
RATED = Q(csat__isnull=False)
MET = RESOLVED & Q(res_end__lte=F("res_due"))
TREND_MONTHS = 12
REPORT_CACHE_SECONDS = 60
FACTOR_BULLET = re.compile(r"^\s*(?:\d+[.)]|[-*\u2022])\s*")


def missed(now: datetime) -> Q:
    """Resolved after its due time, or still open past it."""
    return (RESOLVED & Q(res_end__gt=F("res_due"))) | (~CLOSED & Q(res_due__lt=now))


def judged(now: datetime) -> Q:
    """The escalations SLA compliance is computed over (an open one not yet due, or one
    whose severity has no policy, is left out)."""
    return MET | missed(now)


# ---------------------------------------------------------------------------------------
# Filters


TIER_CHOICES = [
    ("", "Any tier"),
    ("1", "Tier 1"),
    ("2", "Tier 2"),
    ("3", "Tier 3"),
    ("standard", "Standard"),
]


class ReportFilters(forms.Form):
    """The report's parameters, shared by the page, the API and the CSV (from/to are
    dates in TIME_ZONE; `to` is excluded)."""

    start = forms.DateField(label="From", input_formats=["%Y-%m-%d"])
    end = forms.DateField(label="To (excluded)", input_formats=["%Y-%m-%d"])
    tier = forms.ChoiceField(required=False, choices=TIER_CHOICES)
    type = forms.ChoiceField(required=False, choices=[("", "Any type"), *Escalation.Type.choices])
    severity = forms.ChoiceField(required=False, choices=[("", "Any severity"), *Severity.choices])
    csm = forms.ModelChoiceField(
        required=False,
        queryset=get_user_model()
        .objects.filter(groups__name=Role.CSM, is_active=True)
        .order_by("first_name", "username"),
        empty_label="Any CSM",
    )

    def __init__(self, data, *args, **kwargs):
        # The contract's parameter names are "from" and "to" (Python keywords).
        data = data.copy()
        for outside, inside in (("from", "start"), ("to", "end")):
            if outside in data and inside not in data:
                data[inside] = data[outside]
        super().__init__(data, *args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            raise forms.ValidationError("'to' must be after 'from'.")
        return data

    def tier_value(self) -> int | None:
        tier = self.cleaned_data.get("tier")
        if not tier:
            return None
        return Tier.STANDARD if tier == "standard" else int(tier)

    def querystring(self) -> str:
        """The valid filters, in the contract's names, for links to rows and CSVs."""
        q = QueryDict(mutable=True)
        q["from"] = self.cleaned_data["start"].isoformat()
        q["to"] = self.cleaned_data["end"].isoformat()
        for key in ("tier", "type", "severity"):
            if self.cleaned_data.get(key):
                q[key] = self.cleaned_data[key]
        if self.cleaned_data.get("csm"):
            q["csm"] = self.cleaned_data["csm"].pk
        return q.urlencode()

    def first_error(self) -> tuple[str, str]:
        """(field, message) of the first problem, in the contract's parameter names."""
        field, errors = next(iter(self.errors.items()))
        name = {"start": "from", "end": "to", "__all__": None}.get(field, field)
        return name, errors[0]


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.get_current_timezone())


def default_period(today: date) -> tuple[date, date]:
    """The page's default: the last three whole months and this month so far."""
    return month_start(today, 3), today + timedelta(days=1)


def scoped(
    *,
    tier: int | None = None,
    type: str | None = None,
    severity: str | None = None,
    csm=None,
) -> QuerySet:
    """Escalations matching the non-period filters (the trend reuses them)."""
    qs = Escalation.objects.all()
    if tier is not None:
        qs = qs.filter(account__tier=tier)
    if type:
        qs = qs.filter(type=type)
    if severity:
        qs = qs.filter(severity=severity)
    if csm is not None:
        qs = qs.filter(account__csm=csm)
    return qs


def filter_kwargs(form: ReportFilters) -> dict:
    data = form.cleaned_data
    return dict(
        tier=form.tier_value(),
        type=data.get("type") or None,
        severity=data.get("severity") or None,
        csm=data.get("csm"),
    )


def in_period(form: ReportFilters) -> QuerySet:
    return scoped(**filter_kwargs(form)).filter(
        opened_at__gte=local_midnight(form.cleaned_data["start"]),
        opened_at__lt=local_midnight(form.cleaned_data["end"]),
    )


def annotate_resolution(qs: QuerySet, policies: dict[str, int]) -> QuerySet:
    """res_end (final resolution, else closing time) and res_due (opening + the
    severity's resolution SLA; null for a severity without a policy)."""
    return qs.annotate(
        res_end=Coalesce("resolved_at", "closed_at"),
        res_due=Case(
            *[
                When(severity=s, then=F("opened_at") + Value(timedelta(minutes=m)))
                for s, m in policies.items()
            ],
            default=None,
            output_field=DateTimeField(),
        ),
    )


def resolution_policies() -> dict[str, int]:
    return dict(SeverityPolicy.objects.values_list("severity", "resolution_minutes"))


# ---------------------------------------------------------------------------------------
# Sums and figures


@dataclass
class Totals:
    """What the figures rest on, as sums (so a group's figures are exact means)."""

    count: int = 0
    open: int = 0
    acknowledged: int = 0
    acknowledge_seconds: float = 0.0
    resolved: int = 0
    resolution_seconds: float = 0.0
    sla_met: int = 0
    sla_missed: int = 0
    reopened: int = 0
    rated: int = 0
    csat_sum: int = 0

    def __add__(self, other: "Totals") -> "Totals":
        return Totals(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))


def summed(groups: dict[tuple, Totals], position: int | None = None) -> dict | Totals:
    """Add up totals grouped by several fields: all of them (position None), or per
    value of the field at `position` of the group key."""
    if position is None:
        return sum(groups.values(), Totals())
    result: dict = {}
    for key, t in groups.items():
        result[key[position]] = result.get(key[position], Totals()) + t
    return result


def _duration(field: str) -> CombinedExpression:
    return F(field) - F("opened_at")


def aggregates(now: datetime) -> dict:
    return dict(
        count=Count("pk"),
        open=Count("pk", filter=~CLOSED),
        acknowledged=Count("pk", filter=ACKNOWLEDGED),
        acknowledge_time=Sum(_duration("acknowledged_at"), filter=ACKNOWLEDGED),
        resolved=Count("pk", filter=RESOLVED),
        resolution_time=Sum(_duration("res_end"), filter=RESOLVED),
        sla_met=Count("pk", filter=MET),
        sla_missed=Count("pk", filter=missed(now)),
        reopened=Count("pk", filter=REOPENED),
        rated=Count("pk", filter=RATED),
        csat_sum=Sum("csat", filter=RATED),
    )


def _totals(row: dict) -> Totals:
    def seconds(value: timedelta | None) -> float:
        return value.total_seconds() if value else 0.0

    return Totals(
        count=row["count"],
        open=row["open"],
        acknowledged=row["acknowledged"],
        acknowledge_seconds=seconds(row["acknowledge_time"]),
        resolved=row["resolved"],
        resolution_seconds=seconds(row["resolution_time"]),
        sla_met=row["sla_met"],
        sla_missed=row["sla_missed"],
        reopened=row["reopened"],
        rated=row["rated"],
        csat_sum=row["csat_sum"] or 0,
    )


def totals(qs: QuerySet, policies: dict[str, int], now: datetime, by: tuple[str, ...] = ()):
    """One query: the Totals of qs, or {(values of `by`): Totals} when grouped."""
    qs = annotate_resolution(qs.order_by(), policies)
    if not by:
        return _totals(qs.aggregate(**aggregates(now)))
    rows = qs.values(*by).annotate(**aggregates(now))
    return {tuple(row[f] for f in by): _totals(row) for row in rows}


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def figures(t: Totals, accounts: int) -> dict:
    """The contract's figures from the sums: a mean or share with nothing to average is
    None (null), never 0."""
    first_response = _ratio(t.acknowledge_seconds, t.acknowledged)
    mttr = _ratio(t.resolution_seconds, t.resolved)
    return {
        "count": t.count,
        "open": t.open,
        "first_response_hours": None if first_response is None else first_response / 3600,
        "mttr_hours": None if mttr is None else mttr / 3600,
        "sla_compliance": _ratio(t.sla_met, t.sla_met + t.sla_missed),
        "per_100_accounts": _ratio(t.count * 100, accounts),
        "reescalation_rate": _ratio(t.reopened, t.count),
        "csat": _ratio(t.csat_sum, t.rated),
    }


# ---------------------------------------------------------------------------------------
# Targets and the metric rows of the page


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    below: bool  # met below its target (times, rates) or above it (compliance, CSAT)
    basis: str  # the escalations it rests on (one of ROW_SETS)
    unit: str


METRICS = [
    Metric("mttr_hours", "Mean time to resolution", True, "resolved", "hours"),
    Metric("sla_compliance", "SLA compliance", False, "judged", "%"),
    Metric(
        "first_response_hours", "First response (acknowledgement)", True, "acknowledged", "hours"
    ),
    Metric("per_100_accounts", "Escalations per 100 accounts", True, "all", "per 100 accounts"),
    Metric("reescalation_rate", "Re-escalation rate", True, "all", "%"),
    Metric("csat", "Post-escalation CSAT", False, "rated", "CSAT (1–5)"),
]


def rows_filter(which: str, now: datetime) -> Q:
    """The escalations behind a metric (the drill-down list and its CSV)."""
    return {
        "all": Q(),
        "open": ~CLOSED,
        "resolved": RESOLVED,
        "judged": judged(now),
        "missed": missed(now),
        "acknowledged": ACKNOWLEDGED,
        "reopened": REOPENED,
        "rated": RATED,
    }[which]


ROW_SETS = ("all", "open", "resolved", "judged", "missed", "acknowledged", "reopened", "rated")


def basis_count(t: Totals, basis: str) -> int:
    return {
        "all": t.count,
        "resolved": t.resolved,
        "judged": t.sla_met + t.sla_missed,
        "acknowledged": t.acknowledged,
        "rated": t.rated,
    }[basis]


def target_values(targets: ReportPolicy) -> dict[str, float]:
    return {m.key: getattr(targets, m.key) for m in METRICS}


def is_met(metric: Metric, value: float | None, target: float) -> bool | None:
    if value is None:
        return None
    return value < target if metric.below else value > target


@dataclass
class MetricRow:
    metric: Metric
    value: float | None
    target: float
    met: bool | None
    basis: int


def metric_rows(t: Totals, accounts: int, targets: dict[str, float]) -> list[MetricRow]:
    values = figures(t, accounts)
    return [
        MetricRow(
            m,
            values[m.key],
            targets[m.key],
            is_met(m, values[m.key], targets[m.key]),
            basis_count(t, m.basis),
        )
        for m in METRICS
    ]


# ---------------------------------------------------------------------------------------
# Accounts (the per-100 denominator) and the whole report


def accounts_by_tier(csm=None) -> dict[int, int]:
    qs = Account.objects.order_by()
    if csm is not None:
        qs = qs.filter(csm=csm)
    return {r["tier"]: r["n"] for r in qs.values("tier").annotate(n=Count("pk"))}


def population(by_tier: dict[int, int], tier: int | None) -> int:
    """The accounts the escalations come from: the filtered tier's, else all."""
    return by_tier.get(tier, 0) if tier is not None else sum(by_tier.values())


def summary(form: ReportFilters, now: datetime) -> dict:
    """The contract's figures and targets for a valid form (3 queries + targets)."""
    kwargs = filter_kwargs(form)
    t = totals(in_period(form), resolution_policies(), now)
    accounts = population(accounts_by_tier(kwargs["csm"]), kwargs["tier"])
    return {**figures(t, accounts), "targets": target_values(ReportPolicy.load())}


@dataclass
class Breakdown:
    title: str
    rows: list[tuple[str, dict]]  # (label, figures)


@dataclass
class Report:
    totals: Totals
    accounts: int
    metrics: list[MetricRow]
    breakdowns: list[Breakdown]
    trend: list[tuple[date, dict]]  # (month, figures), oldest first
    as_of: datetime
    trend_at: datetime  # when the trend's rollup was computed
    whole_months_at: datetime | None  # the period's whole months came from it

    @property
    def trend_stale(self) -> bool:
        return self.as_of - self.trend_at > TREND_STALE_AFTER


def month_start(day: date, back: int = 0) -> date:
    """The first day of day's month, `back` months earlier."""
    first = day.replace(day=1)
    for _ in range(back):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


GROUPS = ("account__tier", "type", "severity")


def period_groups(form: ReportFilters, kwargs: dict, policies: dict[str, int], now: datetime):
    """({(tier, type, severity): Totals} of the period, when its whole months come from
    the rollup or None): whole months are read from EscalationMonthTotals, the partial
    months at either end live (without a CSM filter, which the rollup has no dimension
    for); a period with no whole month, or a CSM's, is read live (one query + 2)."""
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    first = start if start.day == 1 else next_month(start)
    until = month_start(end)  # whole months: [first, until)
    if kwargs["csm"] is not None or first >= until:
        return totals(in_period(form), policies, now, by=GROUPS), None
    computed_at = rollup_computed_at(now)
    edges = Q()
    if start < first:
        edges |= Q(opened_at__gte=local_midnight(start), opened_at__lt=local_midnight(first))
    if until < end:
        edges |= Q(opened_at__gte=local_midnight(until), opened_at__lt=local_midnight(end))
    groups = totals(scoped(**kwargs).filter(edges), policies, now, by=GROUPS) if edges else {}
    whole = rollup_rows(kwargs).filter(month__gte=first, month__lt=until)
    for row in whole.values("tier", "type", "severity", *TOTALS_FIELDS):
        key = (row["tier"], row["type"], row["severity"])
        groups[key] = groups.get(key, Totals()) + Totals(**{f: row[f] for f in TOTALS_FIELDS})
    return groups, computed_at


def build_report(form: ReportFilters, now: datetime) -> Report:
    """Everything the page shows, in a fixed number of queries whatever the rows: the
    period's sums grouped by tier, type and severity (period_groups), added up for the
    totals and each breakdown; the monthly trend from the rollup."""
    kwargs = filter_kwargs(form)
    policies = resolution_policies()
    by_tier_accounts = accounts_by_tier(kwargs["csm"])
    accounts = population(by_tier_accounts, kwargs["tier"])
    groups, whole_months_at = period_groups(form, kwargs, policies, now)
    t = summed(groups)
    targets = target_values(ReportPolicy.load())

    by_tier, by_type, by_severity = summed(groups, 0), summed(groups, 1), summed(groups, 2)
    breakdowns = [
        Breakdown(
            "By tier",
            [
                (Tier(k).label, figures(by_tier[k], by_tier_accounts.get(k, 0)))
                for k in Tier.values
                if k in by_tier
            ],
        ),
        Breakdown(
            "By type",
            [
                (label, figures(by_type[k], accounts))
                for k, label in Escalation.Type.choices
                if k in by_type
            ],
        ),
        Breakdown(
            "By severity",
            [
                (label, figures(by_severity[k], accounts))
                for k, label in Severity.choices
                if k in by_severity
            ],
        ),
    ]

    last = form.cleaned_data["end"] - timedelta(days=1)
    months = [month_start(last, TREND_MONTHS - 1)]
    while next_month(months[-1]) <= last:
        months.append(next_month(months[-1]))
    if kwargs["csm"] is None:
        by_month, trend_at = trend_from_rollup(months, kwargs, now)
    else:  # the rollup has no CSM dimension: one CSM's escalations are read live
        by_month, trend_at = live_trend(months, kwargs, policies, now), now
    trend = [(m, figures(by_month.get(m, Totals()), accounts)) for m in months]
    rows = metric_rows(t, accounts, targets)
    return Report(t, accounts, rows, breakdowns, trend, now, trend_at, whole_months_at)


def live_trend(months: list[date], kwargs: dict, policies: dict[str, int], now: datetime):
    """{month: Totals} of the escalations opened in these months (one query)."""
    monthly = totals(
        scoped(**kwargs)
        .filter(
            opened_at__gte=local_midnight(months[0]),
            opened_at__lt=local_midnight(next_month(months[-1])),
        )
        .annotate(month=TruncMonth("opened_at", tzinfo=timezone.get_current_timezone())),
        policies,
        now,
        by=("month",),
    )
    return {m.date(): v for (m,), v in monthly.items()}


# ---------------------------------------------------------------------------------------
# The trend's rollup (EscalationMonthTotals)

TREND_REFRESH_MINUTES = 10
TREND_STALE_AFTER = timedelta(minutes=3 * TREND_REFRESH_MINUTES)
TOTALS_FIELDS = [f.name for f in fields(Totals)]


def refresh_trend(now: datetime | None = None) -> int:
    """Job: rewrite EscalationMonthTotals and EscalationMonthCount from every escalation
    (three reads and one transaction); returns how many total groups were stored."""
    now = now or timezone.now()
    groups = totals(
        Escalation.objects.annotate(
            month=TruncMonth("opened_at", tzinfo=timezone.get_current_timezone())
        ),
        resolution_policies(),
        now,
        by=("month", "account__tier", "type", "severity"),
    )
    rows = [
        EscalationMonthTotals(
            month=month.date(),
            tier=tier,
            type=type_,
            severity=severity,
            computed_at=now,
            **asdict(t),
        )
        for (month, tier, type_, severity), t in groups.items()
    ]
    counts = month_counts()
    with transaction.atomic():
        EscalationMonthTotals.objects.all().delete()
        EscalationMonthTotals.objects.bulk_create(rows, batch_size=2000)
        EscalationMonthCount.objects.all().delete()
        EscalationMonthCount.objects.bulk_create(counts, batch_size=2000)
    return len(rows)


def rollup_computed_at(now: datetime) -> datetime:
    """When the rollups were computed (one query); computed now if the job never ran."""
    computed_at = EscalationMonthTotals.objects.values_list("computed_at", flat=True).first()
    if computed_at is None:  # the job never ran, or there are no escalations at all
        refresh_trend(now)
        computed_at = now
    return computed_at


def rollup_rows(kwargs: dict) -> QuerySet:
    """EscalationMonthTotals rows matching the report's tier, type and severity."""
    qs = EscalationMonthTotals.objects.all()
    if kwargs["tier"] is not None:
        qs = qs.filter(tier=kwargs["tier"])
    if kwargs["type"]:
        qs = qs.filter(type=kwargs["type"])
    if kwargs["severity"]:
        qs = qs.filter(severity=kwargs["severity"])
    return qs


def trend_from_rollup(months: list[date], kwargs: dict, now: datetime):
    """({month: Totals}, computed_at) from the rollup, filtered like the report (two
    queries)."""
    computed_at = rollup_computed_at(now)
    qs = rollup_rows(kwargs).filter(month__gte=months[0], month__lte=months[-1])
    by_month: dict[date, Totals] = {}
    for row in qs.values("month", *TOTALS_FIELDS):
        t = Totals(**{f: row[f] for f in TOTALS_FIELDS})
        by_month[row["month"]] = by_month.get(row["month"], Totals()) + t
    return by_month, computed_at


def cached_report(form: ReportFilters, now: datetime) -> Report:
    """The page's report, from the cache when built less than REPORT_CACHE_SECONDS ago
    for the same filters (the page says as of when). The API is never cached."""
    key = "reports:escalations:" + hashlib.sha256(form.querystring().encode()).hexdigest()
    report = cache.get(key)
    if report is None:
        report = build_report(form, now)
        cache.set(key, report, REPORT_CACHE_SECONDS)
    return report


# ---------------------------------------------------------------------------------------
# Growth of a category, quarter over quarter


@dataclass(frozen=True)
class Growth:
    key: str
    label: str
    earlier: int
    later: int

    @property
    def pct(self) -> float | None:
        return 100 * (self.later - self.earlier) / self.earlier if self.earlier else None


def is_growing(g: Growth, warning_pct: int, min_count: int) -> bool:
    """At least min_count in the later quarter and up by warning_pct or more (any
    growth from zero counts)."""
    if g.later < min_count or g.later <= g.earlier:
        return False
    return g.pct is None or g.pct >= warning_pct


def quarter_windows(end: date, n: int) -> list[tuple[date, date]]:
    """n consecutive 3-month windows ending at `end` (a month's first day), oldest
    first."""
    return [(month_start(end, 3 * (i + 1)), month_start(end, 3 * i)) for i in reversed(range(n))]


def window_label(window: tuple[date, date]) -> str:
    start, end = window
    return f"{start:%b}–{end - timedelta(days=1):%b %Y}"


@dataclass(frozen=True)
class Quarterly:
    key: str
    label: str
    counts: list[int]  # per window, oldest first

    @property
    def growth(self) -> Growth:
        return Growth(self.key, self.label, self.counts[-2], self.counts[-1])


# An escalation's root-cause category: its post-mortem's (the reviewed cause, from the
# admin taxonomy) when it has one, else the one recorded on the escalation (free text).
ROOT_CAUSE = Coalesce(
    "post_mortem__root_cause_category__name",
    NullIf("root_cause_category", Value("")),
    output_field=CharField(),
)


def _factors(text: str) -> set[str]:
    """The factors of a free-text list: one per line, numbering and bullets dropped."""
    lines = (FACTOR_BULLET.sub("", line).strip() for line in text.splitlines())
    return {line for line in lines if line}


def month_counts() -> list[EscalationMonthCount]:
    """Escalations per month opened and type, root cause (ROOT_CAUSE) and contributing
    factor: the factors picked on the post-mortem and the lines of the escalation's own
    free-text list, compared case-blind and counted once per escalation, named as the
    taxonomy spells them when picked (three queries; the free text is split here)."""
    month = TruncMonth("opened_at", tzinfo=timezone.get_current_timezone())
    counts: dict[tuple[str, str, date], int] = defaultdict(int)
    labels: dict[tuple[str, str], str] = {}
    types = dict(Escalation.Type.choices)
    grouped = (
        Escalation.objects.annotate(month=month, cause=ROOT_CAUSE)
        .order_by()
        .values("month", "type", "cause")
        .annotate(n=Count("pk"))
    )
    for row in grouped:
        m, cause = row["month"].date(), row["cause"] or ""
        counts[("type", row["type"], m)] += row["n"]
        counts[("cause", cause, m)] += row["n"]
        labels["type", row["type"]] = types.get(row["type"], row["type"])
        labels["cause", cause] = cause or "(not recorded)"
    factors: dict[int, dict[str, str]] = defaultdict(dict)  # escalation: {key: name}
    opened: dict[int, date] = {}
    typed = (
        Escalation.objects.exclude(contributing_factors="")
        .annotate(month=month)
        .values_list("pk", "month", "contributing_factors")
    )
    for pk, m, text in typed.iterator(chunk_size=5000):
        opened[pk] = m.date()
        for name in _factors(text):
            factors[pk].setdefault(name.casefold(), name)
    picked = PostMortem.contributing_factors.through.objects.annotate(
        month=TruncMonth(
            "postmortem__escalation__opened_at", tzinfo=timezone.get_current_timezone()
        )
    ).values_list("postmortem__escalation_id", "month", "rootcausecategory__name")
    for pk, m, name in picked.iterator(chunk_size=5000):
        opened[pk] = m.date()
        factors[pk][name.casefold()] = name
        labels["factor", name.casefold()] = name  # the taxonomy's spelling wins
    for pk, names in factors.items():
        for key, name in names.items():
            counts[("factor", key, opened[pk])] += 1
            labels.setdefault(("factor", key), name)
    return [
        EscalationMonthCount(
            month=m, dimension=dimension, key=key, label=labels[dimension, key], count=n
        )
        for (dimension, key, m), n in counts.items()
    ]


def quarterly_counts(dimension: str, windows: list[tuple[date, date]]) -> list[Quarterly]:
    """Escalations per type, root cause or contributing factor (an EscalationMonthCount
    dimension) opened in each window of whole months, from the rollup (one query; the
    caller asks rollup_computed_at first, which computes a missing rollup)."""
    rows = (
        EscalationMonthCount.objects.filter(
            dimension=dimension, month__gte=windows[0][0], month__lt=windows[-1][1]
        )
        .values("key")
        .annotate(
            name=Max("label"),
            **{
                f"w{i}": Sum("count", filter=Q(month__gte=a, month__lt=b), default=0)
                for i, (a, b) in enumerate(windows)
            },
        )
    )
    result = [
        Quarterly(r["key"], r["name"], [r[f"w{i}"] for i in range(len(windows))]) for r in rows
    ]
    return sorted(result, key=lambda q: (-q.counts[-1], q.label))


SYSTEMIC_QUARTERS = 4


@dataclass
class Systemic:
    tables: list[Table]
    computed_at: datetime  # of the rollup the counts come from
    as_of: datetime

    @property
    def stale(self) -> bool:
        return self.as_of - self.computed_at > TREND_STALE_AFTER


def systemic_tables(today: date, now: datetime) -> Systemic:
    """The quarter-over-quarter growth tables of the systemic-issues page (by type,
    root cause and contributing factor), from the month counts' rollup."""
    computed_at = rollup_computed_at(now)
    windows = quarter_windows(next_month(today), SYSTEMIC_QUARTERS)
    policy = ReportPolicy.load()
    growth_pct, growth_min = policy.growth_warning_pct, policy.growth_min_count
    header = [*map(window_label, windows), "Change (%)", "Growing"]
    groups = [
        ("by-type", "By type", quarterly_counts("type", windows)),
        ("by-root-cause", "By root-cause category", quarterly_counts("cause", windows)),
        ("by-factor", "By contributing factor", quarterly_counts("factor", windows)),
    ]
    tables = [
        Table(
            name,
            title,
            [title.removeprefix("By ").capitalize(), *header],
            [
                [
                    q.label,
                    *q.counts,
                    rounded(q.growth.pct, 1),
                    is_growing(q.growth, growth_pct, growth_min),
                ]
                for q in rows
            ],
        )
        for name, title, rows in groups
    ]
    return Systemic(tables, computed_at, now)


# ---------------------------------------------------------------------------------------
# The rows behind the figures, and the page's tables

CSV_COLUMNS = [
    "code",
    "account",
    "tier",
    "type",
    "severity",
    "status",
    "opened_at",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "reopen_count",
    "csat",
    "summary",
]
PERCENT_METRICS = {"sla_compliance", "reescalation_rate"}
FIGURE_KEYS = [
    "count",
    "open",
    "first_response_hours",
    "mttr_hours",
    "sla_compliance",
    "per_100_accounts",
    "reescalation_rate",
    "csat",
]
FIGURE_HEADERS = [
    "Escalations",
    "Open",
    "First response (h)",
    "MTTR (h)",
    "SLA compliance (%)",
    "Per 100 accounts",
    "Re-escalation rate (%)",
    "CSAT",
]


def shown(key: str, value: float | None) -> float | None:
    """A figure as the page and its CSVs show it: shares as percentages, 2 decimals."""
    return percent(value) if key in PERCENT_METRICS else rounded(value)


def csv_tier(tier: int | None) -> int | str | None:
    """1–3, or "standard" (the value the tier filter takes)."""
    return "standard" if tier == Tier.STANDARD else tier


ROW_FIELDS = (
    "id",
    "account__name",
    "account__tier",
    "type",
    "severity",
    "status",
    "opened_at",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "reopen_count",
    "csat",
    "summary",
)


def rows_queryset(qs: QuerySet, *annotations: str) -> QuerySet:
    """The escalations as plain named rows (ROW_FIELDS and the given annotations, e.g.
    res_end and res_due), in the CSV's order: no model instances for thousands of rows."""
    return qs.values_list(*ROW_FIELDS, *annotations, named=True).order_by("opened_at", "id")


def csv_row(e) -> list:
    """One escalation (a rows_queryset row) in the contract's CSV columns (CSV_COLUMNS)."""
    return [
        Escalation.code_of(e.id),
        e.account__name,
        csv_tier(e.account__tier),
        e.type,
        e.severity,
        e.status,
        e.opened_at,
        e.acknowledged_at,
        e.resolved_at,
        e.closed_at,
        e.reopen_count,
        e.csat,
        e.summary,
    ]


def _hours(start: datetime | None, end: datetime | None) -> float | None:
    return None if start is None or end is None else round((end - start).total_seconds() / 3600, 2)


def sla_state(e, now: datetime) -> str:
    """How SLA compliance treats this escalation (the same rule as `judged`/`missed`)."""
    if e.res_due is None:
        return "no SLA policy"
    if e.status in Escalation.CLOSED_STATUSES and e.res_end is not None:
        return "met" if e.res_end <= e.res_due else "missed"
    return "missed" if now > e.res_due else "open, not yet due"


ROW_EXTRA = ["response_hours", "resolution_hours", "resolution_due", "sla"]


def page_row(e, now: datetime) -> list:
    """The contract's columns plus what the figures take from the row."""
    resolved = e.status in Escalation.CLOSED_STATUSES
    return csv_row(e) + [
        _hours(e.opened_at, e.acknowledged_at),
        _hours(e.opened_at, e.res_end) if resolved else None,
        e.res_due,
        sla_state(e, now),
    ]


def figures_row(label: str, values: dict) -> list:
    return [label, *[shown(k, values[k]) for k in FIGURE_KEYS]]


def report_tables(report: Report, rows_link) -> list[Table]:
    """Every table of the page as plain rounded data. rows_link(basis) is the URL of the
    escalations behind a figure."""
    metrics = Table(
        "metrics",
        "Metrics against their targets",
        ["Metric", "Value", "Target", "Met", "Based on (escalations)"],
        [
            [
                m.metric.label + (" (%)" if m.metric.key in PERCENT_METRICS else ""),
                shown(m.metric.key, m.value),
                f"{'<' if m.metric.below else '>'} {shown(m.metric.key, m.target):g}",
                None if m.met is None else ("met" if m.met else "missed"),
                m.basis,
            ]
            for m in report.metrics
        ],
        links=[rows_link(m.metric.basis) for m in report.metrics],
        note=f"{report.totals.count} escalations opened in the period, "
        f"{report.totals.open} still open; {report.accounts} accounts. Hours are wall-clock; "
        "SLA compliance leaves out open escalations not yet due.",
    )
    tables = [metrics]
    for b in report.breakdowns:
        name = b.title.lower().replace(" ", "-")
        tables.append(
            Table(
                name,
                b.title,
                [b.title.removeprefix("By ").capitalize(), *FIGURE_HEADERS],
                [figures_row(label, values) for label, values in b.rows],
            )
        )
    tables.append(
        Table(
            "trend",
            "Monthly trend",
            ["Month", *FIGURE_HEADERS],
            [figures_row(f"{m:%Y-%m}", values) for m, values in report.trend],
            note="Whole months, the same filters; per 100 accounts against today's accounts.",
        )
    )
    return tables
