"""Account scores: escalation/churn risk 0–100 with explained factors, and health 0–100.

Pure functions: `score(features, weights, now)` takes the per-account aggregates that
vipdesk/insight/features.py computes for every account in a few set-based SQL statements,
and returns the scores with one human sentence per factor that fired. No database
access here; the caller loads the features and writes the scores back.

Every rule is written once, over columns: `FeatureColumns` holds the features of many
accounts as numpy arrays (NaN for "unknown"), each factor computes its strength for all
of them at once, and `scores(columns, weights, now)` gives every account's AccountScore
(the rescore and the backtest score 100,000 accounts a pass this way). `score(f, …)` is
the same code on a single account; a factor's sentence is written only for the accounts
it fires on.

Each factor adds at most its `*_points` weight (ScoreWeights), scaled by how
strongly it fires (its "strength", 0–1). A factor that does not fire adds no entry.

The risk score predicts new trouble, so open escalations are not one of its factors
(an escalation would otherwise foresee itself); they weigh on health and show on the
board and the account page as the account's status.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np

from accounts.history import USAGE_WINDOWS_MAX_WEEKS, usage_trend_columns

SEVERITY_WEIGHT = {"critical": 1.0, "high": 0.7, "medium": 0.4, "low": 0.2}


@dataclass(frozen=True)
class AccountFeatures:
    """What was known about one account's history at `now` (every window ends there).

    "recent" = the last 30 days; "before" = the 90 days before those. NPS and usage
    come from the dated history (NpsPoint, UsagePoint), never the current values:
    `usage_weeks` holds weekly active users, index 0 = the latest complete week (None
    for a week without data); the score weights' usage windows read it (`usage_trend`)."""

    account_id: int
    nps: int | None = None
    previous_nps: int | None = None
    usage_weeks: tuple[int | None, ...] = ()
    renewal_date: date | None = None
    tickets_7d: int = 0
    tickets_30d: int = 0
    tickets_before: int = 0
    severe_recent: int = 0
    severe_before: int = 0
    churn_points_30d: int = 0
    churn_tickets_30d: int = 0
    direct_phrases: tuple[str, ...] = ()
    indirect_phrases: tuple[str, ...] = ()
    message_length_recent: float | None = None
    messages_recent: int = 0
    message_length_before: float | None = None
    messages_before: int = 0
    sentiment_recent: float | None = None
    sentiment_count_recent: int = 0
    sentiment_before: float | None = None
    sentiment_count_before: int = 0
    open_tickets: int = 0
    breaches_90d: int = 0
    tickets_90d: int = 0
    csat_90d: float | None = None
    champions: int = 0
    champion_last_seen: datetime | None = None
    open_escalations: dict[str, int] = field(default_factory=dict)  # severity -> count


@dataclass(frozen=True)
class AccountScore:
    account_id: int
    health: int
    risk: int
    level: str
    factors: list[dict]
    alert_level: int  # highest risk threshold the score reaches (0 = none)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECONDS_A_DAY = 86_400_000_000


def moment_us(value: datetime | None) -> float:
    """A moment as microseconds since 1970 (exact in a float64), NaN for None."""
    return np.nan if value is None else (value - EPOCH) // datetime.resolution


def escalation_load(counts: dict[str, int]):
    """Open escalations weighted by severity (counts: severity -> count, or -> array)."""
    load = 0.0
    for severity, n in counts.items():  # added in order, so every path agrees to the bit
        load = load + SEVERITY_WEIGHT.get(severity, 0.4) * n
    return load


@dataclass
class FeatureColumns:
    """AccountFeatures of many accounts, one float64 array per feature (NaN = None).

    Dates are day ordinals (date.toordinal), moments microseconds since 1970
    (moment_us); usage_weeks is one row of USAGE_WINDOWS_MAX_WEEKS weeks per account
    (index 0 = the latest complete week); churn phrases count distinct phrases, the
    phrases themselves (tuples, for the sentences) are optional; open escalations are
    their severity-weighted load."""

    account_id: np.ndarray
    nps: np.ndarray
    previous_nps: np.ndarray
    usage_weeks: np.ndarray
    renewal_day: np.ndarray
    tickets_7d: np.ndarray
    tickets_30d: np.ndarray
    tickets_before: np.ndarray
    severe_recent: np.ndarray
    severe_before: np.ndarray
    churn_points_30d: np.ndarray
    churn_tickets_30d: np.ndarray
    direct_count: np.ndarray
    indirect_count: np.ndarray
    message_length_recent: np.ndarray
    messages_recent: np.ndarray
    message_length_before: np.ndarray
    messages_before: np.ndarray
    sentiment_recent: np.ndarray
    sentiment_count_recent: np.ndarray
    sentiment_before: np.ndarray
    sentiment_count_before: np.ndarray
    open_tickets: np.ndarray
    breaches_90d: np.ndarray
    csat_90d: np.ndarray
    champions: np.ndarray
    champion_last_seen: np.ndarray
    escalation_load: np.ndarray
    direct_phrases: Sequence[tuple[str, ...]] | None = None
    indirect_phrases: Sequence[tuple[str, ...]] | None = None

    def __len__(self) -> int:
        return len(self.account_id)

    def take(self, index) -> "FeatureColumns":
        """The accounts at these positions (an index array or a boolean mask)."""
        index = np.asarray(index)
        if index.dtype == bool:
            index = np.flatnonzero(index)
        values = {}
        for name, value in vars(self).items():
            if isinstance(value, np.ndarray):
                values[name] = value[index]
            else:
                values[name] = None if value is None else [value[i] for i in index]
        return FeatureColumns(**values)

    @classmethod
    def of(cls, features: Sequence[AccountFeatures]) -> "FeatureColumns":
        def column(values) -> np.ndarray:
            return np.array(list(values), dtype=float)  # None -> NaN

        plain = [
            "nps", "previous_nps", "tickets_7d", "tickets_30d",
            "tickets_before", "severe_recent", "severe_before", "churn_points_30d",
            "churn_tickets_30d", "message_length_recent", "messages_recent",
            "message_length_before", "messages_before", "sentiment_recent",
            "sentiment_count_recent", "sentiment_before", "sentiment_count_before",
            "open_tickets", "breaches_90d", "csat_90d", "champions",
        ]  # fmt: skip
        return cls(
            account_id=np.array([f.account_id for f in features], dtype=np.int64),
            **{name: column(getattr(f, name) for f in features) for name in plain},
            usage_weeks=usage_rows(f.usage_weeks for f in features),
            renewal_day=column(
                f.renewal_date.toordinal() if f.renewal_date else None for f in features
            ),
            direct_count=column(len(f.direct_phrases) for f in features),
            indirect_count=column(len(f.indirect_phrases) for f in features),
            champion_last_seen=column(moment_us(f.champion_last_seen) for f in features),
            escalation_load=column(escalation_load(f.open_escalations) for f in features),
            direct_phrases=[f.direct_phrases for f in features],
            indirect_phrases=[f.indirect_phrases for f in features],
        )


def usage_rows(series) -> np.ndarray:
    """Weekly usage series (index 0 = the latest complete week, None = no data) as a
    (accounts, USAGE_WINDOWS_MAX_WEEKS) array, NaN where unknown."""
    rows = [
        [np.nan if u is None else u for u in weeks[:USAGE_WINDOWS_MAX_WEEKS]]
        + [np.nan] * (USAGE_WINDOWS_MAX_WEEKS - len(weeks))
        for weeks in series
    ]
    return np.array(rows, dtype=float).reshape(-1, USAGE_WINDOWS_MAX_WEEKS)


@dataclass
class Fired:
    """A factor over columns: where it fires, how strongly (0–1), and its sentence for
    account i (called only where it fires)."""

    fires: np.ndarray
    strength: np.ndarray
    sentence: Callable[[int], str]


def _points(max_points: int, strength):
    return np.round(max_points * np.clip(strength, 0.0, 1.0))


def _plural(n, word: str) -> str:
    n = int(n)
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _quoted(phrases) -> str:
    return ", ".join(f"“{p}”" for p in sorted(phrases))


def _known(values: np.ndarray) -> np.ndarray:
    return ~np.isnan(values)


def _ratio(numerator, denominator) -> np.ndarray:
    """numerator / denominator, 0 where the denominator is 0 (or unknown)."""
    safe = np.where((denominator != 0) & _known(denominator), denominator, 1.0)
    return np.where((denominator != 0) & _known(denominator), numerator / safe, 0.0)


# Each factor: (columns, weights, now) -> Fired.


def churn_language(f: FeatureColumns, w, now: datetime) -> Fired:
    direct, indirect = f.direct_count > 0, f.indirect_count > 0
    fires = (f.churn_points_30d > 0) | direct | indirect
    strength = np.minimum(1.0, f.churn_points_30d / 60)
    strength = np.where(direct, np.maximum(strength, 0.6), strength)

    def sentence(i: int) -> str:
        parts = []
        if f.direct_phrases is not None and f.direct_phrases[i]:
            parts.append(f"direct: {_quoted(f.direct_phrases[i])}")
        if f.indirect_phrases is not None and f.indirect_phrases[i]:
            parts.append(f"indirect: {_quoted(f.indirect_phrases[i])}")
        where = _plural(max(f.churn_tickets_30d[i], 1), "ticket")
        detail = f" ({'; '.join(parts)})" if parts else ""
        return f"Churn language in {where} in 30 days{detail}"

    return Fired(fires, strength, sentence)


def ticket_frequency(f: FeatureColumns, w, now: datetime) -> Fired:
    # Baseline: tickets per day over the 90 days before the last 30 (at least 1 per 90 days,
    # so a first burst from a quiet account still counts, and we never divide by zero).
    # Fires from `ticket_spike_ratio` × that rate with at least `ticket_spike_min_tickets`
    # in 7 days (one more in 30); full strength 4 × the rate above the threshold.
    base_per_day = np.maximum(f.tickets_before, 1) / 90
    least, from_ratio = w.ticket_spike_min_tickets, w.ticket_spike_ratio
    ratio_7 = f.tickets_7d / (base_per_day * 7)
    ratio_30 = f.tickets_30d / (base_per_day * 30)
    in_7 = (f.tickets_7d >= least) & (ratio_7 >= from_ratio)
    in_30 = (f.tickets_30d >= least + 1) & (ratio_30 >= from_ratio)
    # The stronger window (higher ratio, then more tickets, then the longer window).
    use_30 = in_30 & (
        ~in_7 | (ratio_30 > ratio_7) | ((ratio_30 == ratio_7) & (f.tickets_30d >= f.tickets_7d))
    )
    ratio = np.where(use_30, ratio_30, ratio_7)
    count = np.where(use_30, f.tickets_30d, f.tickets_7d)
    strength = np.minimum(1.0, (ratio - from_ratio + 1) / 4)

    def sentence(i: int) -> str:
        days = 30 if use_30[i] else 7
        return (
            f"{int(count[i])} tickets in {days} days, {ratio[i]:.1f}× the rate of the 90 "
            f"days before (fires from {from_ratio:g}×)"
        )

    return Fired(in_7 | in_30, strength, sentence)


def severity_escalating(f: FeatureColumns, w, now: datetime) -> Fired:
    share_recent = _ratio(f.severe_recent, f.tickets_30d)
    share_before = _ratio(f.severe_before, f.tickets_before)
    delta = share_recent - share_before
    fires = (f.severe_recent >= 2) & (f.tickets_30d > 0) & (delta >= 0.2)

    def sentence(i: int) -> str:
        return (
            f"{int(f.severe_recent[i])} of {int(f.tickets_30d[i])} tickets in 30 days are "
            f"P1/P2 ({share_recent[i]:.0%}, was {share_before[i]:.0%})"
        )

    return Fired(fires, np.minimum(1.0, delta / 0.6), sentence)


def shorter_messages(f: FeatureColumns, w, now: datetime) -> Fired:
    before = f.message_length_before
    recent = np.where(_known(f.message_length_recent), f.message_length_recent, 0.0)
    drop = 1 - _ratio(recent, before)
    fires = (
        (f.messages_recent >= 2)
        & (f.messages_before >= 2)
        & _known(before)
        & (before != 0)
        & (drop >= 0.3)
    )

    def sentence(i: int) -> str:
        return (
            f"Customer messages shortened to {recent[i]:.0f} characters on average "
            f"(from {before[i]:.0f}, −{drop[i]:.0%})"
        )

    return Fired(fires, np.minimum(1.0, drop / 0.7), sentence)


def sentiment_falling(f: FeatureColumns, w, now: datetime) -> Fired:
    recent = f.sentiment_recent
    scored = (f.sentiment_count_recent >= 2) & _known(recent)
    # Against the 90 days before when they had at least two scored tickets, else on
    # its own: a clearly negative 30 days.
    compared = (f.sentiment_count_before >= 2) & _known(f.sentiment_before)
    delta = f.sentiment_before - recent
    falling = scored & compared & (delta >= 0.2)
    negative = scored & ~compared & (recent <= -0.4)
    strength = np.where(falling, np.minimum(1.0, delta / 0.8), 0.5)

    def sentence(i: int) -> str:
        if falling[i]:
            return (
                f"Average ticket sentiment fell to {recent[i]:+.2f} from "
                f"{f.sentiment_before[i]:+.2f}"
            )
        return f"Average ticket sentiment is {recent[i]:+.2f} over 30 days"

    return Fired(falling | negative, strength, sentence)


def usage_change(f: FeatureColumns | AccountFeatures, w):
    """Active users of the recent weeks against the baseline weeks (%), by the weights'
    usage windows: an array (NaN where unknown) for columns, a float or None for one
    account's features."""
    if isinstance(f, AccountFeatures):
        change = usage_change(FeatureColumns.of([f]), w)[0]
        return None if np.isnan(change) else float(change)
    return usage_trend_columns(f.usage_weeks, w.usage_recent_weeks, w.usage_baseline_weeks)


def usage_drop(f: FeatureColumns, w, now: datetime) -> Fired:
    pct = -usage_change(f, w)
    fires = _known(pct) & (pct >= w.usage_drop_from_pct)

    def sentence(i: int) -> str:
        return (
            f"Weekly active users down {pct[i]:.0f}% "
            f"({_plural(w.usage_recent_weeks, 'week')} against the "
            f"{_plural(w.usage_baseline_weeks, 'week')} before; fires from "
            f"{w.usage_drop_from_pct}%, full at {w.usage_drop_full_pct}%)"
        )

    return Fired(fires, np.minimum(1.0, pct / w.usage_drop_full_pct), sentence)


def nps_drop(f: FeatureColumns, w, now: datetime) -> Fired:
    nps, previous = f.nps, f.previous_nps
    drop = np.where(_known(previous), previous - nps, 0.0)
    drop_strength = np.where(drop >= 10, np.minimum(1.0, drop / 40), 0.0)
    low_strength = np.where(nps < 0, np.minimum(1.0, 0.4 + -nps / 100), 0.0)
    fires = _known(nps) & ((drop_strength != 0) | (low_strength != 0))
    by_drop = drop_strength >= low_strength

    def sentence(i: int) -> str:
        if by_drop[i]:
            return f"NPS fell from {int(previous[i])} to {int(nps[i])} (−{int(drop[i])})"
        return f"NPS is {int(nps[i])}"

    return Fired(fires, np.where(by_drop, drop_strength, low_strength), sentence)


def renewal_proximity(f: FeatureColumns, w, now: datetime) -> Fired:
    window = w.renewal_window_days
    days = f.renewal_day - now.date().toordinal()
    fires = _known(days) & (days >= 0) & (days <= window)
    proximity = 1 - 0.5 * days / window  # 1.0 today … 0.5 at the window's end
    strength = np.where(f.open_tickets > 0, proximity, proximity * 0.3)

    def sentence(i: int) -> str:
        within = f"within {window}"
        if f.open_tickets[i]:
            open_tickets = _plural(f.open_tickets[i], "open ticket")
            return f"Renewal in {int(days[i])} days ({within}) with {open_tickets}"
        return f"Renewal in {int(days[i])} days ({within})"

    return Fired(fires, strength, sentence)


def silent_champion(f: FeatureColumns, w, now: datetime) -> Fired:
    quiet_days = w.silent_champion_days
    never = ~_known(f.champion_last_seen)
    days = np.floor_divide(moment_us(now) - f.champion_last_seen, MICROSECONDS_A_DAY)
    fires = (f.champions > 0) & (never | (days >= quiet_days))
    strength = np.where(never, 1.0, np.minimum(1.0, days / (2 * quiet_days)))

    def sentence(i: int) -> str:
        if never[i]:
            return "Champion has never been in touch"
        return f"Champion silent for {int(days[i])} days (silent from {quiet_days})"

    return Fired(fires, strength, sentence)


# name -> (rule, ScoreWeights field with its maximum points)
FACTORS = {
    "churn_language": (churn_language, "churn_language_points"),
    "ticket_frequency": (ticket_frequency, "ticket_frequency_points"),
    "severity_escalating": (severity_escalating, "severity_escalating_points"),
    "shorter_messages": (shorter_messages, "shorter_messages_points"),
    "sentiment_falling": (sentiment_falling, "sentiment_falling_points"),
    "usage_drop": (usage_drop, "usage_drop_points"),
    "nps_drop": (nps_drop, "nps_drop_points"),
    "renewal_proximity": (renewal_proximity, "renewal_proximity_points"),
    "silent_champion": (silent_champion, "silent_champion_points"),
}


def risk_level(risk: int, w) -> str:
    if risk >= w.critical_level_from:
        return "critical"
    if risk >= w.high_level_from:
        return "high"
    if risk >= w.medium_level_from:
        return "medium"
    return "low"


def thresholds(w) -> list[int]:
    """The alert thresholds, lowest first (CSM attention, leadership, executive outreach)."""
    return sorted(
        {w.csm_attention_threshold, w.leadership_threshold, w.executive_outreach_threshold}
    )


def band_starts(w) -> list[int]:
    """Where the risk-band workflows start, lowest first (check-in e-mail draft,
    stakeholder room, executive briefing)."""
    return sorted({w.checkin_band_from, w.stakeholder_band_from, w.executive_band_from})


def alert_levels(w) -> list[int]:
    """Every level a crossing acts on: the alert thresholds and the band starts."""
    return sorted({*thresholds(w), *band_starts(w)})


def alert_level(risk: int, w) -> int:
    """The highest level the score reaches, 0 when below all of them."""
    return max((t for t in alert_levels(w) if risk >= t), default=0)


def crossed_thresholds(previously_alerted: int, risk: int, w) -> list[int]:
    """Levels newly crossed: above what was already alerted, at or below the score.

    `previously_alerted` falls back as the score falls (alert_level), so dropping below
    a level and crossing it again acts again (once per crossing)."""
    return [t for t in alert_levels(w) if previously_alerted < t <= risk]


def health_columns(f: FeatureColumns, w) -> np.ndarray:
    """0–100 from NPS, usage trend, support history and open escalations."""
    with np.errstate(invalid="ignore"):
        return _health(f, w)


def _health(f: FeatureColumns, w) -> np.ndarray:
    nps = np.where(_known(f.nps), (f.nps + 100) / 200, 0.5)
    change = usage_change(f, w)
    usage = np.where(_known(change), np.clip(0.5 + change / 100, 0.0, 1.0), 0.5)
    support = 1.0 - np.minimum(0.4, 0.05 * f.open_tickets) - np.minimum(0.4, 0.1 * f.breaches_90d)
    support = np.where(_known(f.csat_90d), 0.5 * support + 0.5 * (f.csat_90d - 1) / 4, support)
    escalations = 1.0 - np.minimum(1.0, f.escalation_load)
    parts = [
        (w.health_nps_weight, nps),
        (w.health_usage_weight, usage),
        (w.health_support_weight, np.maximum(0.0, support)),
        (w.health_escalation_weight, escalations),
    ]
    total_weight = sum(weight for weight, _ in parts) or 1
    weighted = 0
    for weight, value in parts:
        weighted = weighted + weight * value
    return np.clip(np.round(100 * weighted / total_weight), 0, 100).astype(int)


def health(f: AccountFeatures, w) -> int:
    return int(health_columns(FeatureColumns.of([f]), w)[0])


def strength_columns(f: FeatureColumns, w, now: datetime) -> dict[str, Fired]:
    """How strongly each factor fires for every account (0–1, 0 where it does not),
    before weighting; the backtest fits weights to these."""
    fired = {}
    for name, (rule, _) in FACTORS.items():
        with np.errstate(invalid="ignore", divide="ignore"):  # NaN is "unknown" here
            result = rule(f, w, now)
        strength = np.where(result.fires, np.clip(result.strength, 0.0, 1.0), 0.0)
        fired[name] = Fired(result.fires, strength, result.sentence)
    return fired


@dataclass
class RiskColumns:
    """Risk for every account, each factor's points (0 where it adds nothing), and the
    fired factors' sentences on demand."""

    risk: np.ndarray
    points: dict[str, np.ndarray]
    fired: dict[str, Fired]

    def factors_of(self, positions: Sequence[int], with_reasons: bool = True) -> list[list[dict]]:
        """The factors of the accounts at these positions, each account's highest points
        first with their sentences; built a factor at a time (a rescore writes them for
        tens of thousands of accounts)."""
        positions = np.asarray(positions, dtype=np.intp)
        accounts = positions.tolist()
        out: list[list[dict]] = [[] for _ in accounts]
        for name, points in self.points.items():
            points = points[positions]
            fires = np.flatnonzero(points > 0)
            sentence = self.fired[name].sentence
            for k, p in zip(fires.tolist(), points[fires].tolist(), strict=True):
                item = {"name": name, "points": p}
                if with_reasons:
                    item["reason"] = f"{sentence(accounts[k])}: +{p}"
                out[k].append(item)
        for items in out:
            if len(items) > 1:
                items.sort(key=_highest_points_first)
        return out


def _highest_points_first(item: dict) -> int:
    return -item["points"]


def risk_columns(f: FeatureColumns, w, now: datetime) -> RiskColumns:
    fired = strength_columns(f, w, now)
    points = {
        name: _points(getattr(w, FACTORS[name][1]), fired[name].strength).astype(int)
        for name in FACTORS
    }
    total = sum(points.values()) if points else np.zeros(len(f), dtype=int)
    return RiskColumns(np.minimum(100, total), points, fired)


def scores(f: FeatureColumns, w, now: datetime) -> list[AccountScore]:
    """Every account's score (its factors with their sentences)."""
    risks = risk_columns(f, w, now)
    healths = health_columns(f, w).tolist()
    levels = {r: (risk_level(r, w), alert_level(r, w)) for r in range(101)}
    at_risk = np.flatnonzero(risks.risk > 0)
    factors = dict(zip(at_risk.tolist(), risks.factors_of(at_risk), strict=True))
    out = []
    for i, (account_id, risk) in enumerate(
        zip(f.account_id.tolist(), risks.risk.tolist(), strict=True)
    ):
        level, alerted = levels[risk]
        out.append(AccountScore(account_id, healths[i], risk, level, factors.get(i, []), alerted))
    return out


def score(f: AccountFeatures, w, now: datetime) -> AccountScore:
    return scores(FeatureColumns.of([f]), w, now)[0]
