"""Account scores: escalation/churn risk 0–100 with explained factors, and health 0–100.

Pure functions: `score(features, weights, now)` takes the per-account aggregates that
vipdesk/insight/features.py computes for every account in a few set-based SQL statements,
and returns the scores with one human sentence per factor that fired. No database
access here; the caller loads the features and writes the scores back.

Each factor adds at most its `*_points` weight (ScoreWeights), scaled by how
strongly it fires (its "strength", 0–1). A factor that does not fire adds no entry.

The risk score predicts new trouble, so open escalations are not one of its factors
(an escalation would otherwise foresee itself); they weigh on health and show on the
board and the account page as the account's status.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from accounts.history import usage_trend

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


def _points(max_points: int, strength: float) -> int:
    return round(max_points * max(0.0, min(1.0, strength)))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _quoted(phrases) -> str:
    return ", ".join(f"“{p}”" for p in sorted(phrases))


# Each factor: (features, weights, now) -> (strength 0–1, sentence without points) or None.


def churn_language(f: AccountFeatures, w, now: datetime):
    if f.churn_points_30d <= 0 and not f.direct_phrases and not f.indirect_phrases:
        return None
    strength = min(1.0, f.churn_points_30d / 60)
    parts = []
    if f.direct_phrases:
        strength = max(strength, 0.6)
        parts.append(f"direct: {_quoted(f.direct_phrases)}")
    if f.indirect_phrases:
        parts.append(f"indirect: {_quoted(f.indirect_phrases)}")
    where = _plural(max(f.churn_tickets_30d, 1), "ticket")
    detail = f" ({'; '.join(parts)})" if parts else ""
    return strength, f"Churn language in {where} in 30 days{detail}"


def ticket_frequency(f: AccountFeatures, w, now: datetime):
    # Baseline: tickets per day over the 90 days before the last 30 (at least 1 per 90 days,
    # so a first burst from a quiet account still counts, and we never divide by zero).
    # Fires from `ticket_spike_ratio` × that rate with at least `ticket_spike_min_tickets`
    # in 7 days (one more in 30); full strength 4 × the rate above the threshold.
    base_per_day = max(f.tickets_before, 1) / 90
    least, from_ratio = w.ticket_spike_min_tickets, w.ticket_spike_ratio
    candidates = []
    if f.tickets_7d >= least:
        candidates.append((f.tickets_7d / (base_per_day * 7), f.tickets_7d, 7))
    if f.tickets_30d >= least + 1:
        candidates.append((f.tickets_30d / (base_per_day * 30), f.tickets_30d, 30))
    candidates = [c for c in candidates if c[0] >= from_ratio]
    if not candidates:
        return None
    ratio, count, days = max(candidates)
    strength = min(1.0, (ratio - from_ratio + 1) / 4)
    return strength, (
        f"{count} tickets in {days} days, {ratio:.1f}× the rate of the 90 days before"
        f" (fires from {from_ratio:g}×)"
    )


def severity_escalating(f: AccountFeatures, w, now: datetime):
    if f.severe_recent < 2 or f.tickets_30d == 0:
        return None
    share_recent = f.severe_recent / f.tickets_30d
    share_before = f.severe_before / f.tickets_before if f.tickets_before else 0.0
    delta = share_recent - share_before
    if delta < 0.2:
        return None
    return min(1.0, delta / 0.6), (
        f"{f.severe_recent} of {f.tickets_30d} tickets in 30 days are P1/P2 "
        f"({share_recent:.0%}, was {share_before:.0%})"
    )


def shorter_messages(f: AccountFeatures, w, now: datetime):
    if f.messages_recent < 2 or f.messages_before < 2 or not f.message_length_before:
        return None
    recent, before = f.message_length_recent or 0.0, f.message_length_before
    drop = 1 - recent / before
    if drop < 0.3:
        return None
    return min(1.0, drop / 0.7), (
        f"Customer messages shortened to {recent:.0f} characters on average "
        f"(from {before:.0f}, −{drop:.0%})"
    )


def sentiment_falling(f: AccountFeatures, w, now: datetime):
    if f.sentiment_count_recent < 2 or f.sentiment_recent is None:
        return None
    recent = f.sentiment_recent
    if f.sentiment_count_before >= 2 and f.sentiment_before is not None:
        delta = f.sentiment_before - recent
        if delta >= 0.2:
            return min(1.0, delta / 0.8), (
                f"Average ticket sentiment fell to {recent:+.2f} from {f.sentiment_before:+.2f}"
            )
        return None
    if recent <= -0.4:
        return 0.5, f"Average ticket sentiment is {recent:+.2f} over 30 days"
    return None


def usage_change(f: AccountFeatures, w) -> float | None:
    """Active users of the recent weeks against the baseline weeks (%), by the weights'
    usage windows."""
    return usage_trend(f.usage_weeks, w.usage_recent_weeks, w.usage_baseline_weeks)


def usage_drop(f: AccountFeatures, w, now: datetime):
    change = usage_change(f, w)
    if change is None or -change < w.usage_drop_from_pct:
        return None
    pct = -change
    return min(1.0, pct / w.usage_drop_full_pct), (
        f"Weekly active users down {pct:.0f}% "
        f"({_plural(w.usage_recent_weeks, 'week')} against the "
        f"{_plural(w.usage_baseline_weeks, 'week')} before; fires from "
        f"{w.usage_drop_from_pct}%, full at {w.usage_drop_full_pct}%)"
    )


def nps_drop(f: AccountFeatures, w, now: datetime):
    if f.nps is None:
        return None
    drop = (f.previous_nps - f.nps) if f.previous_nps is not None else 0
    drop_strength = min(1.0, drop / 40) if drop >= 10 else 0.0
    low_strength = min(1.0, 0.4 + -f.nps / 100) if f.nps < 0 else 0.0
    if drop_strength == 0 and low_strength == 0:
        return None
    if drop_strength >= low_strength:
        return drop_strength, f"NPS fell from {f.previous_nps} to {f.nps} (−{drop})"
    return low_strength, f"NPS is {f.nps}"


def renewal_proximity(f: AccountFeatures, w, now: datetime):
    if f.renewal_date is None:
        return None
    days, window = (f.renewal_date - now.date()).days, w.renewal_window_days
    if days < 0 or days > window:
        return None
    proximity = 1 - 0.5 * days / window  # 1.0 today … 0.5 at the window's end
    within = f"within {window}"
    if f.open_tickets:
        return proximity, (
            f"Renewal in {days} days ({within}) with {_plural(f.open_tickets, 'open ticket')}"
        )
    return proximity * 0.3, f"Renewal in {days} days ({within})"


def silent_champion(f: AccountFeatures, w, now: datetime):
    if not f.champions:
        return None
    quiet_days = w.silent_champion_days
    if f.champion_last_seen is None:
        return 1.0, "Champion has never been in touch"
    days = (now - f.champion_last_seen).days
    if days < quiet_days:
        return None
    return min(1.0, days / (2 * quiet_days)), (
        f"Champion silent for {days} days (silent from {quiet_days})"
    )


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


def health(f: AccountFeatures, w) -> int:
    """0–100 from NPS, usage trend, support history and open escalations."""
    nps = 0.5 if f.nps is None else (f.nps + 100) / 200
    change = usage_change(f, w)
    usage = 0.5 if change is None else min(1.0, max(0.0, 0.5 + change / 100))
    support = 1.0 - min(0.4, 0.05 * f.open_tickets) - min(0.4, 0.1 * f.breaches_90d)
    if f.csat_90d is not None:
        support = 0.5 * support + 0.5 * (f.csat_90d - 1) / 4
    escalation_load = sum(SEVERITY_WEIGHT.get(s, 0.4) * n for s, n in f.open_escalations.items())
    escalations = 1.0 - min(1.0, escalation_load)
    parts = [
        (w.health_nps_weight, nps),
        (w.health_usage_weight, usage),
        (w.health_support_weight, max(0.0, support)),
        (w.health_escalation_weight, escalations),
    ]
    total_weight = sum(weight for weight, _ in parts) or 1
    return max(0, min(100, round(100 * sum(weight * v for weight, v in parts) / total_weight)))


def strengths(f: AccountFeatures, w, now: datetime) -> dict[str, tuple[float, str]]:
    """How strongly each factor fires (0–1, with its sentence), before weighting; the
    backtest fits weights to these."""
    fired = {}
    for name, (rule, _) in FACTORS.items():
        result = rule(f, w, now)
        if result is not None:
            fired[name] = (max(0.0, min(1.0, result[0])), result[1])
    return fired


def score(f: AccountFeatures, w, now: datetime) -> AccountScore:
    factors = []
    for name, (strength, sentence) in strengths(f, w, now).items():
        points = _points(getattr(w, FACTORS[name][1]), strength)
        if points <= 0:
            continue
        factors.append({"name": name, "points": points, "reason": f"{sentence}: +{points}"})
    factors.sort(key=lambda item: -item["points"])
    risk = min(100, sum(item["points"] for item in factors))
    return AccountScore(
        account_id=f.account_id,
        health=health(f, w),
        risk=risk,
        level=risk_level(risk, w),
        factors=factors,
        alert_level=alert_level(risk, w),
    )
