"""Replay a period day by day with as-of scores, and report the backtest's figures.

The history is read once and rolled forward a day at a time (vipdesk/insight/rolling.py;
`per_day=True` runs the features statement of vipdesk/insight/asof.py for each day
instead, which a test compares it with), and each day every account is scored at once
over numpy columns (accounts/scoring.py); the same features feed the simple rules the
score is compared with and every weight set being compared (the saved weights and a
draft). Nothing is written: no score, snapshot or alert.

Each day D is scored as of the midnight (UTC) that ends it, with a week of warm-up
before the period so that early escalations can show their lead time.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from accounts.models import Account
from accounts.scoring import FeatureColumns, risk_columns, usage_change
from escalations.models import Escalation
from vipdesk.insight.asof import columns_as_of
from vipdesk.insight.backtest import (
    PRECISION_WINDOW,
    Figures,
    Outcome,
    at_equal_volume,
    episodes,
    evaluate,
    factor_shares,
)
from vipdesk.insight.rolling import rolling_columns

WARM_UP = timedelta(days=7)
THRESHOLDS = (70, 85, 95)


def _sentiment_drop(f: FeatureColumns, w) -> np.ndarray:
    compared = (f.sentiment_count_recent >= 2) & (f.sentiment_count_before >= 2)
    return np.where(compared, f.sentiment_before - f.sentiment_recent, np.nan)


def _usage_drop(f: FeatureColumns, w) -> np.ndarray:
    return -usage_change(f, w)


# Simple rules the score must beat: name -> (signal, NaN where none; label; cutoffs
# tried). A signal reads the features under the first weight set compared (the saved
# weights): the usage rule uses the same usage windows as the score.
Signal = Callable[[FeatureColumns, object], np.ndarray]
SIMPLE_RULES: dict[str, tuple[Signal, str, list]] = {
    "ticket_spike": (lambda f, w: f.tickets_7d, "tickets in 7 days ≥ {}", list(range(2, 41))),
    "sentiment_drop": (
        _sentiment_drop,
        "sentiment fell by ≥ {} (30 days vs the 90 before)",
        [round(0.1 * i, 1) for i in range(1, 21)],
    ),
    "usage_drop": (
        _usage_drop,
        "weekly active users down ≥ {} % (the score's usage windows)",
        list(range(5, 100, 5)),
    ),
}


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


@dataclass
class Replay:
    period: tuple[datetime, datetime]
    moments: list[datetime]
    risks: dict[str, list[dict[int, int]]]  # weight set -> per moment: account -> risk
    factors: dict[str, list[dict[int, list]]]  # weight set -> per moment: account -> factors
    rules: dict[str, list[dict[int, float]]]  # simple rule -> per moment: account -> signal
    outcomes: list[Outcome]
    csm_of: dict[int, int | None]


def _per_day(moments: list[datetime]) -> Iterator[tuple[datetime, FeatureColumns]]:
    for moment in moments:
        for columns in columns_as_of(moment):
            yield moment, columns


def replay(
    start: date,
    end: date,
    weight_sets: dict[str, object],
    *,
    floor: int = min(THRESHOLDS),
    progress: Callable[[int, int], None] | None = None,
    collect: Callable[[datetime, FeatureColumns], None] | None = None,
    per_day: bool = False,
) -> Replay:
    """Score every account as of each day of [start - warm-up, end] under each weight
    set, keeping the accounts at or above `floor` (and each simple rule's signal);
    `collect` sees every account's features of every day (fitting weights)."""
    period = (midnight(start), midnight(end + timedelta(days=1)))
    first = start - WARM_UP
    moments = [midnight(first + timedelta(days=i + 1)) for i in range((end - first).days + 1)]
    risks = {name: [{} for _ in moments] for name in weight_sets}
    factors = {name: [{} for _ in moments] for name in weight_sets}
    rules = {name: [{} for _ in moments] for name in SIMPLE_RULES}
    lowest = {name: cutoffs[0] for name, (_, _, cutoffs) in SIMPLE_RULES.items()}
    rule_weights = next(iter(weight_sets.values()), None)  # None: no rules to follow
    index = {moment: i for i, moment in enumerate(moments)}
    days = _per_day(moments) if per_day else rolling_columns(moments)
    reported = -1
    for moment, f in days:
        i = index[moment]
        if collect:
            collect(moment, f)
        ids = f.account_id.tolist()
        for name, weights in weight_sets.items():
            scored = risk_columns(f, weights, moment)
            kept = np.flatnonzero(scored.risk >= floor)
            kept_factors = scored.factors_of(kept, with_reasons=False)
            for j, account_factors in zip(kept.tolist(), kept_factors, strict=True):
                risks[name][i][ids[j]] = int(scored.risk[j])
                factors[name][i][ids[j]] = account_factors
        with np.errstate(invalid="ignore"):
            for name, (signal, _, _) in SIMPLE_RULES.items() if rule_weights else ():
                values = signal(f, rule_weights)
                for j in np.flatnonzero(values >= lowest[name]).tolist():
                    rules[name][i][ids[j]] = float(values[j])
        if progress and i != reported:
            reported = i
            progress(i + 1, len(moments))
    return Replay(
        period=period,
        moments=moments,
        risks=risks,
        factors=factors,
        rules=rules,
        outcomes=load_outcomes(period[0], period[1] + PRECISION_WINDOW),
        csm_of=dict(Account.objects.values_list("pk", "csm_id")),
    )


def load_outcomes(start: datetime, end: datetime) -> list[Outcome]:
    """Escalations opened and churns in [start, end)."""
    escalations = [
        Outcome(
            account_id,
            at,
            "escalation",
            code=f"ESC-{pk:04d}",
            external_id=external_id or None,
            source=source,
            account=name,
        )
        for pk, account_id, name, at, external_id, source in Escalation.objects.filter(
            opened_at__gte=start, opened_at__lt=end
        ).values_list("pk", "account_id", "account__name", "opened_at", "external_id", "source")
    ]
    churns = [
        Outcome(account_id, at, "churn")
        for account_id, at in Account.objects.filter(
            churned_at__gte=start, churned_at__lt=end
        ).values_list("pk", "churned_at")
    ]
    return escalations + churns


def score_figures(r: Replay, weight_set: str, threshold: int) -> Figures:
    crossings = episodes(r.moments, r.risks[weight_set], threshold, r.factors[weight_set])
    return evaluate(
        crossings,
        r.outcomes,
        threshold=threshold,
        period=r.period,
        csm_of=r.csm_of,
        moments=r.moments,
    )


def rule_figures(r: Replay, alerts_wanted: int) -> dict[str, tuple[str, Figures]]:
    """Each simple rule at the cutoff giving about as many alerts as the score."""
    out = {}
    for name, (_, label, cutoffs) in SIMPLE_RULES.items():
        cutoff = at_equal_volume(r.moments, r.rules[name], cutoffs, alerts_wanted, r.period)
        figures = evaluate(
            episodes(r.moments, r.rules[name], cutoff),
            r.outcomes,
            threshold=cutoff,
            period=r.period,
            csm_of=r.csm_of,
            moments=r.moments,
        )
        out[name] = (label.format(cutoff), figures)
    return out


def best_rule(rules: dict[str, tuple[str, Figures]]) -> str:
    """The simple rule with the best recall 24 h ahead (then 7 days ahead)."""
    return max(rules, key=lambda n: (rules[n][1].recall["24h"] or 0, rules[n][1].recall["7d"] or 0))


def report(r: Replay, weight_set: str, threshold: int) -> dict:
    """Everything the command prints and the admin page shows for one threshold."""
    figures = score_figures(r, weight_set, threshold)
    rules = rule_figures(r, figures.alerts)
    best = best_rule(rules)
    sources = sorted({o.source for o in r.outcomes if o.kind == "escalation"})
    by_source = {}
    for source in sources:
        kept = [o for o in r.outcomes if o.kind != "escalation" or o.source == source]
        crossings = episodes(r.moments, r.risks[weight_set], threshold)
        f = evaluate(
            crossings,
            kept,
            threshold=threshold,
            period=r.period,
            csm_of=r.csm_of,
            moments=r.moments,
        )
        by_source[source or "unknown"] = {"escalations": f.escalations, "recall": f.recall}
    return {
        "threshold": threshold,
        "figures": figures,
        "rules": rules,
        "best_rule": best,
        "by_source": by_source,
        "true_factor_shares": factor_shares(figures.true_alerts),
        "false_factor_shares": factor_shares(figures.false_alerts),
    }


def _weekly(alerts) -> dict[str, int]:
    weeks: dict[str, int] = {}
    for e in alerts:
        monday = (e.start - timedelta(days=e.start.weekday())).date().isoformat()
        weeks[monday] = weeks.get(monday, 0) + 1
    return dict(sorted(weeks.items()))


def summary(result: dict) -> dict:
    """A report as plain JSON data (stored with a backtest run, shown on its page)."""
    f = result["figures"]
    return {
        "escalations": f.escalations,
        "recall": f.recall,
        "alerts": f.alerts,
        "alerts_per_csm_week": f.alerts_per_csm_week,
        "busiest_csm_per_week": f.busiest_csm_per_week,
        "precision_30d": f.precision_30d,
        "base_rate_30d": f.base_rate_30d,
        "lift": f.lift,
        "weekly_alerts": _weekly([*f.true_alerts, *f.false_alerts]),
        "rules": {
            name: {
                "label": label,
                "alerts": rule.alerts,
                "recall": rule.recall,
                "precision_30d": rule.precision_30d,
            }
            for name, (label, rule) in result["rules"].items()
        },
        "best_rule": result["best_rule"],
        "by_source": result["by_source"],
        "true_factor_shares": result["true_factor_shares"],
        "false_factor_shares": result["false_factor_shares"],
        "per_escalation": f.per_escalation,
    }
