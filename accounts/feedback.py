"""CSM verdicts on risk flags, and the precision of past flags overall and per factor.

Precision = accurate / (accurate + false positive). Per factor, only the flags where
that factor was present (points > 0 in the score snapshot taken with the verdict)
count — so admins can see which weights raise false alarms.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction

from accounts.models import Account, RiskFlagFeedback

PRECISION_CACHE_KEY = "vipdesk:flag-precision:v1"
PRECISION_SECONDS = 60

Verdict = RiskFlagFeedback.Verdict


def record_flag_feedback(
    account: Account, *, user, verdict: str, note: str = ""
) -> RiskFlagFeedback:
    """Store a verdict with the account's current score and factors as they are now."""
    transaction.on_commit(lambda: cache.delete(PRECISION_CACHE_KEY))
    return RiskFlagFeedback.objects.create(
        account=account,
        user=user,
        verdict=Verdict(verdict),
        note=note.strip(),
        risk_score=account.risk_score,
        risk_factors=list(account.risk_factors or []),
    )


@dataclass(frozen=True)
class PrecisionRow:
    name: str
    accurate: int
    false_positive: int

    @property
    def total(self) -> int:
        return self.accurate + self.false_positive

    @property
    def precision(self) -> float | None:
        return self.accurate / self.total if self.total else None

    @property
    def percent(self) -> str:
        return "—" if self.precision is None else f"{self.precision:.0%}"


@dataclass(frozen=True)
class FlagPrecision:
    overall: PrecisionRow
    per_factor: list[PrecisionRow]


def factor_names(factors) -> set[str]:
    names = set()
    for factor in factors or []:
        if isinstance(factor, dict) and factor.get("name") and (factor.get("points") or 0) > 0:
            names.add(str(factor["name"]))
    return names


def precision_of(verdicts: Iterable[tuple[str, list]]) -> FlagPrecision:
    """Pure: from (verdict, risk_factors snapshot) pairs to precision overall and per factor
    (per factor sorted worst precision first, then by name)."""
    overall = {Verdict.ACCURATE: 0, Verdict.FALSE_POSITIVE: 0}
    by_factor: dict[str, dict[str, int]] = {}
    for verdict, factors in verdicts:
        if verdict not in overall:
            continue
        overall[verdict] += 1
        for name in factor_names(factors):
            counts = by_factor.setdefault(name, {Verdict.ACCURATE: 0, Verdict.FALSE_POSITIVE: 0})
            counts[verdict] += 1
    rows = [
        PrecisionRow(name, c[Verdict.ACCURATE], c[Verdict.FALSE_POSITIVE])
        for name, c in by_factor.items()
    ]
    rows.sort(key=lambda r: (r.precision, r.name))
    return FlagPrecision(
        overall=PrecisionRow(
            "All flags", overall[Verdict.ACCURATE], overall[Verdict.FALSE_POSITIVE]
        ),
        per_factor=rows,
    )


def flag_precision() -> FlagPrecision:
    """Precision of every recorded verdict (one query; cached for a minute, and dropped
    from this process's cache when a verdict is recorded)."""
    result = cache.get(PRECISION_CACHE_KEY)
    if result is None:
        rows = RiskFlagFeedback.objects.order_by().values_list("verdict", "risk_factors")
        result = precision_of(rows)
        cache.set(PRECISION_CACHE_KEY, result, PRECISION_SECONDS)
    return result
