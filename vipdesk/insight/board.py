"""The at-risk board: filters, sort orders, keyset pagination and the header aggregates.

Every request parameter is read through a whitelist: unknown sorts fall back to the
default, malformed filters are ignored, and nothing from the query string reaches the
ORM as a field name.

Pagination is keyset ("seek"), never OFFSET: each sort has a key expression backed by an
index (see the Account indexes and migration 0003_board_indexes) and the cursor is the
last row's (key, id). A page costs the same at row 50 and at row 99,950.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Account, RiskFlagFeedback, RiskLevel, Tier

PAGE_SIZE = 50
RENEWAL_WINDOWS = (30, 60, 90, 180)
AT_RISK_LEVELS = (RiskLevel.HIGH, RiskLevel.CRITICAL)
# Sort keys for nullable columns: unscored accounts and those without a renewal date go last.
NO_HEALTH = 101
NO_RENEWAL = date(9999, 12, 31)


def _parse_int(text: str) -> int:
    value = int(text)
    if not -(2**31) < value < 2**31:
        raise ValueError(text)
    return value


def _parse_decimal(text: str) -> Decimal:
    """A money cursor: finite, below 10^13, at most cents (1E-999999999 is refused)."""
    value = Decimal(text)
    if not value.is_finite() or abs(value) >= Decimal(10) ** 13 or value.as_tuple().exponent < -2:
        raise ValueError(text)
    return value


@dataclass(frozen=True)
class Sort:
    key: str
    label: str
    expression: object
    descending: bool
    parse: object  # str -> cursor value; raises ValueError on bad input


SORTS = {
    "risk": Sort("risk", "Risk (highest first)", F("risk_score"), True, _parse_int),
    "health": Sort(
        "health",
        "Health (lowest first)",
        Coalesce(F("health_score"), Value(NO_HEALTH)),
        False,
        _parse_int,
    ),
    "arr": Sort("arr", "ARR (highest first)", F("arr"), True, _parse_decimal),
    "renewal": Sort(
        "renewal",
        "Renewal (soonest first)",
        Coalesce(F("renewal_date"), Value(NO_RENEWAL)),
        False,
        date.fromisoformat,
    ),
}
DEFAULT_SORT = "risk"


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def key(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.year}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        if self.number == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.number + 1, 1) - timedelta(days=1)

    def upcoming_range(self, today: date) -> tuple[date, date]:
        """Renewals still ahead in this quarter: from max(start, today) to its end."""
        return max(self.start, today), self.end

    def next(self) -> "Quarter":
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    @classmethod
    def containing(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> "Quarter | None":
        match = re.fullmatch(r"([1-9]\d{3})Q([1-4])", text or "")  # no year 0
        return cls(int(match[1]), int(match[2])) if match else None


def next_quarters(today: date, n: int = 4) -> list[Quarter]:
    """The calendar quarter containing today (its remaining part) and the n-1 after it."""
    quarters = [Quarter.containing(today)]
    while len(quarters) < n:
        quarters.append(quarters[-1].next())
    return quarters


@dataclass
class BoardQuery:
    """The board's parameters after validation. Build with BoardQuery.from_params."""

    mine: bool = False
    csm: int | None = None
    tiers: list[int] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    renewal_days: int | None = None
    quarter: Quarter | None = None
    risk_min: int | None = None  # a risk digest's link: the accounts from that score
    sort: str = DEFAULT_SORT
    after: tuple | None = None  # (key value, id) of the last row of the previous page

    @classmethod
    def from_params(cls, params, *, default_mine: bool = False) -> "BoardQuery":
        def values(name: str) -> list[str]:
            return [v.strip() for raw in params.getlist(name) for v in raw.split(",") if v.strip()]

        query = cls()
        mine = params.get("mine")
        query.mine = default_mine if mine is None else mine in ("1", "true", "on")
        csm = params.get("csm", "")
        query.csm = int(csm) if csm.isdigit() and 0 < int(csm) < 2**31 else None
        tier_values = {int(t) for t in Tier.values}
        query.tiers = sorted(
            {int(t) for t in values("tier") if t.isdigit() and int(t) in tier_values}
        )
        query.levels = [lv for lv in RiskLevel.values if lv in set(values("level"))]
        days = params.get("renewal", "")
        query.renewal_days = int(days) if days.isdigit() and int(days) in RENEWAL_WINDOWS else None
        query.quarter = Quarter.parse(params.get("quarter", ""))
        risk_min = params.get("risk_min", "")
        query.risk_min = int(risk_min) if risk_min.isdigit() and int(risk_min) <= 100 else None
        sort = params.get("sort", DEFAULT_SORT)
        query.sort = sort if sort in SORTS else DEFAULT_SORT
        query.after = parse_cursor(params.get("after", ""), SORTS[query.sort])
        return query

    def filter_params(self) -> list[tuple[str, str]]:
        """The filters and sort as query-string pairs (without the cursor)."""
        pairs: list[tuple[str, str]] = []
        if self.mine:
            pairs.append(("mine", "1"))
        if self.csm:
            pairs.append(("csm", str(self.csm)))
        pairs += [("tier", str(t)) for t in self.tiers]
        pairs += [("level", lv) for lv in self.levels]
        if self.renewal_days:
            pairs.append(("renewal", str(self.renewal_days)))
        if self.quarter:
            pairs.append(("quarter", self.quarter.key))
        if self.risk_min is not None:
            pairs.append(("risk_min", str(self.risk_min)))
        if self.sort != DEFAULT_SORT:
            pairs.append(("sort", self.sort))
        return pairs

    def querystring(self, **extra: str) -> str:
        return urlencode(self.filter_params() + list(extra.items()))


def parse_cursor(text: str, sort: Sort) -> tuple | None:
    value, sep, pk = text.rpartition("~")
    if not sep or not pk.isdigit() or not 0 < int(pk) < 2**63:
        return None
    try:
        return sort.parse(value), int(pk)
    except (ValueError, InvalidOperation, TypeError):
        return None


def cursor_for(row: Account, sort: Sort) -> str:
    value = row.sort_key
    return f"{value.isoformat() if isinstance(value, date) else value}~{row.pk}"


def board_queryset(query: BoardQuery, user, today: date):
    """The filtered, sorted rows after the cursor (not yet sliced)."""
    sort = SORTS[query.sort]
    latest = RiskFlagFeedback.objects.filter(account=OuterRef("pk")).order_by("-created_at", "-id")
    qs = (
        Account.objects.select_related("csm", "intervention_owner")
        .annotate(
            sort_key=sort.expression,
            last_verdict=Subquery(latest.values("verdict")[:1]),
            last_verdict_at=Subquery(latest.values("created_at")[:1]),
        )
        .defer("weekly_active_users")
    )
    if query.mine:
        qs = qs.filter(csm=user)
    if query.csm:
        qs = qs.filter(csm_id=query.csm)
    if query.tiers:
        qs = qs.filter(tier__in=query.tiers)
    if query.levels:
        qs = qs.filter(risk_level__in=query.levels)
    if query.renewal_days:
        qs = qs.filter(renewal_date__range=(today, today + timedelta(days=query.renewal_days)))
    if query.quarter:
        qs = qs.filter(renewal_date__range=query.quarter.upcoming_range(today))
    if query.risk_min is not None:
        qs = qs.filter(risk_score__gte=query.risk_min)
    if query.after is not None:
        value, pk = query.after
        if sort.descending:
            qs = qs.filter(sort_key__lte=value).filter(
                Q(sort_key__lt=value) | Q(sort_key=value, pk__gt=pk)
            )
        else:
            qs = qs.filter(sort_key__gte=value).filter(
                Q(sort_key__gt=value) | Q(sort_key=value, pk__gt=pk)
            )
    key = F("sort_key").desc() if sort.descending else F("sort_key").asc()
    return qs.order_by(key, "pk")


@dataclass
class BoardPage:
    rows: list[Account]
    next_cursor: str | None


def board_page(query: BoardQuery, user, today: date, size: int = PAGE_SIZE) -> BoardPage:
    """One page of rows (one query: fetches size + 1 rows to know whether there is more)."""
    rows = list(board_queryset(query, user, today)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = cursor_for(rows[-1], SORTS[query.sort]) if more else None
    return BoardPage(rows=rows, next_cursor=next_cursor)


def top_factors(factors, n: int = 3) -> list[dict]:
    """The n factors adding the most points (factors: [{name, points, reason}])."""
    clean = [f for f in factors or [] if isinstance(f, dict) and f.get("name")]
    return sorted(clean, key=lambda f: -(f.get("points") or 0))[:n]


@dataclass(frozen=True)
class QuarterRisk:
    quarter: Quarter
    arr: Decimal
    accounts: int
    querystring: str


def arr_at_risk_by_quarter(today: date, n: int = 4) -> list[QuarterRisk]:
    """ARR of High/Critical accounts renewing in each of the next n quarters (one query)."""
    quarters = next_quarters(today, n)
    aggregates = {}
    for i, q in enumerate(quarters):
        in_quarter = Q(renewal_date__range=q.upcoming_range(today))
        aggregates[f"arr{i}"] = Sum("arr", filter=in_quarter, default=Decimal(0))
        # Counting an indexed column, not id, keeps this an index-only scan of
        # account_at_risk_renewal_idx.
        aggregates[f"n{i}"] = Count("renewal_date", filter=in_quarter)
    totals = Account.objects.filter(
        risk_level__in=AT_RISK_LEVELS, renewal_date__range=(today, quarters[-1].end)
    ).aggregate(**aggregates)
    levels = [("level", lv) for lv in AT_RISK_LEVELS]
    return [
        QuarterRisk(
            quarter=q,
            arr=totals[f"arr{i}"],
            accounts=totals[f"n{i}"],
            querystring=urlencode(levels + [("quarter", q.key), ("sort", "renewal")]),
        )
        for i, q in enumerate(quarters)
    ]
