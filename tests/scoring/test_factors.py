"""The pure scoring rules: each factor fires with its points and sentence on an account
built to trigger it, and adds nothing on one that doesn't."""

import random
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from accounts.scoring import (
    FACTORS,
    AccountFeatures,
    FeatureColumns,
    alert_level,
    crossed_thresholds,
    health,
    risk_level,
    score,
    scores,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

WEIGHTS = SimpleNamespace(
    churn_language_points=25,
    ticket_frequency_points=18,
    severity_escalating_points=12,
    shorter_messages_points=8,
    sentiment_falling_points=12,
    usage_drop_points=15,
    nps_drop_points=10,
    renewal_proximity_points=10,
    silent_champion_points=8,
    silent_champion_days=45,
    usage_recent_weeks=4,
    usage_baseline_weeks=4,
    usage_drop_from_pct=10,
    usage_drop_full_pct=50,
    ticket_spike_ratio=2.0,
    ticket_spike_min_tickets=3,
    renewal_window_days=90,
    csm_attention_threshold=70,
    leadership_threshold=85,
    executive_outreach_threshold=95,
    checkin_band_from=60,
    stakeholder_band_from=80,
    executive_band_from=90,
    medium_level_from=40,
    high_level_from=70,
    critical_level_from=85,
    health_nps_weight=30,
    health_usage_weight=30,
    health_support_weight=25,
    health_escalation_weight=15,
)


def factors_of(features: AccountFeatures) -> dict[str, dict]:
    return {f["name"]: f for f in score(features, WEIGHTS, NOW).factors}


def features(usage_trend_pct: float | None = None, **kw) -> AccountFeatures:
    """An account's features; a usage trend becomes 8 weeks of usage (100 users, then
    100 × (1 + trend) in the 4 latest)."""
    if usage_trend_pct is not None:
        kw["usage_weeks"] = (100 * (1 + usage_trend_pct / 100),) * 4 + (100,) * 4
    return AccountFeatures(account_id=1, **kw)


def with_settings(**kw) -> SimpleNamespace:
    return SimpleNamespace(**{**vars(WEIGHTS), **kw})


# (factor name, features that trigger it, a part of its sentence, features that don't)
CASES = [
    (
        "churn_language",
        features(
            churn_points_30d=40,
            churn_tickets_30d=2,
            direct_phrases=("cancel",),
            indirect_phrases=("frustrated",),
        ),
        "Churn language in 2 tickets in 30 days (direct: “cancel”; indirect: “frustrated”)",
        features(tickets_30d=3),
    ),
    (
        "ticket_frequency",
        features(tickets_7d=4, tickets_30d=4, tickets_before=3),
        "4 tickets in 7 days, 17.1× the rate of the 90 days before (fires from 2×)",
        features(tickets_7d=1, tickets_30d=3, tickets_before=9),
    ),
    (
        "severity_escalating",
        features(tickets_30d=4, severe_recent=3, tickets_before=10, severe_before=1),
        "3 of 4 tickets in 30 days are P1/P2 (75%, was 10%)",
        features(tickets_30d=4, severe_recent=1, tickets_before=10, severe_before=2),
    ),
    (
        "shorter_messages",
        features(
            messages_recent=3,
            message_length_recent=120,
            messages_before=5,
            message_length_before=410,
        ),
        "Customer messages shortened to 120 characters on average (from 410, −71%)",
        features(
            messages_recent=3,
            message_length_recent=380,
            messages_before=5,
            message_length_before=410,
        ),
    ),
    (
        "sentiment_falling",
        features(
            sentiment_recent=-0.45,
            sentiment_count_recent=3,
            sentiment_before=0.2,
            sentiment_count_before=6,
        ),
        "Average ticket sentiment fell to -0.45 from +0.20",
        features(
            sentiment_recent=0.1,
            sentiment_count_recent=3,
            sentiment_before=0.2,
            sentiment_count_before=6,
        ),
    ),
    (
        "usage_drop",
        features(usage_trend_pct=-32.0),
        "Weekly active users down 32% (4 weeks against the 4 weeks before; "
        "fires from 10%, full at 50%)",
        features(usage_trend_pct=-4.0),
    ),
    (
        "nps_drop",
        features(nps=10, previous_nps=40),
        "NPS fell from 40 to 10 (−30)",
        features(nps=45, previous_nps=50),
    ),
    (
        "renewal_proximity",
        features(renewal_date=date(2026, 12, 17), open_tickets=3, open_escalations={"high": 1}),
        "Renewal in 24 days (within 90) with 3 open tickets",
        features(renewal_date=date(2027, 6, 1), open_tickets=3),
    ),
    (
        "silent_champion",
        features(champions=1, champion_last_seen=NOW - timedelta(days=64)),
        "Champion silent for 64 days (silent from 45)",
        features(champions=1, champion_last_seen=NOW - timedelta(days=10)),
    ),
]


@pytest.mark.parametrize("name,triggering,sentence,quiet", CASES, ids=[c[0] for c in CASES])
def test_it_scores_each_factor_with_points_and_a_sentence(name, triggering, sentence, quiet):
    factor = factors_of(triggering)[name]
    assert 0 < factor["points"] <= getattr(WEIGHTS, FACTORS[name][1])
    assert factor["reason"] == f"{sentence}: +{factor['points']}"
    assert name not in factors_of(quiet)


def test_it_gives_nothing_to_a_quiet_account():
    result = score(features(nps=50, previous_nps=45, usage_trend_pct=5.0), WEIGHTS, NOW)
    assert result.factors == []
    assert result.risk == 0
    assert result.level == "low"


def test_it_scales_points_with_the_strength_of_the_signal():
    mild = factors_of(features(usage_trend_pct=-12.0))["usage_drop"]["points"]
    strong = factors_of(features(usage_trend_pct=-45.0))["usage_drop"]["points"]
    capped = factors_of(features(usage_trend_pct=-90.0))["usage_drop"]["points"]
    assert mild < strong < capped == WEIGHTS.usage_drop_points


def test_it_weighs_renewal_with_open_issues_above_a_quiet_renewal():
    quiet = factors_of(features(renewal_date=date(2026, 12, 17)))["renewal_proximity"]
    troubled = factors_of(features(renewal_date=date(2026, 12, 17), open_tickets=2))
    assert quiet["reason"] == f"Renewal in 24 days (within 90): +{quiet['points']}"
    assert troubled["renewal_proximity"]["points"] > quiet["points"]


def test_it_flags_a_low_nps_without_a_previous_one():
    assert factors_of(features(nps=-30))["nps_drop"]["reason"].startswith("NPS is -30: +")


def test_it_flags_a_champion_who_never_got_in_touch():
    reason = factors_of(features(champions=2))["silent_champion"]["reason"]
    assert reason == "Champion has never been in touch: +8"


def test_it_caps_the_risk_at_100_and_sorts_factors_by_points():
    everything = features(
        churn_points_30d=120,
        churn_tickets_30d=4,
        direct_phrases=("cancel",),
        tickets_7d=9,
        tickets_30d=12,
        tickets_before=1,
        severe_recent=10,
        messages_recent=4,
        message_length_recent=20,
        messages_before=4,
        message_length_before=400,
        sentiment_recent=-0.8,
        sentiment_count_recent=5,
        sentiment_before=0.5,
        sentiment_count_before=5,
        usage_trend_pct=-80.0,
        nps=-60,
        previous_nps=40,
        renewal_date=NOW.date(),
        open_tickets=6,
        open_escalations={"critical": 2},
        champions=1,
    )
    result = score(everything, WEIGHTS, NOW)
    assert result.risk == 100
    assert result.level == "critical"
    assert result.alert_level == 95
    points = [f["points"] for f in result.factors]
    assert points == sorted(points, reverse=True)
    assert sum(points) > 100


@pytest.mark.parametrize(
    "risk,level",
    [
        (0, "low"),
        (39, "low"),
        (40, "medium"),
        (69, "medium"),
        (70, "high"),
        (84, "high"),
        (85, "critical"),
        (100, "critical"),
    ],
)
def test_it_maps_the_risk_to_a_level(risk, level):
    assert risk_level(risk, WEIGHTS) == level


def test_it_finds_the_thresholds_crossed_once():
    assert alert_level(59, WEIGHTS) == 0
    assert alert_level(86, WEIGHTS) == 85
    assert alert_level(65, WEIGHTS) == 60  # the check-in band starts at 60
    assert crossed_thresholds(0, 96, WEIGHTS) == [60, 70, 80, 85, 90, 95]
    assert crossed_thresholds(85, 89, WEIGHTS) == []
    assert crossed_thresholds(70, 90, WEIGHTS) == [80, 85, 90]


def test_an_open_escalation_is_status_not_a_risk_factor():
    calm = features()
    escalated = features(open_escalations={"critical": 2})
    assert score(escalated, WEIGHTS, NOW).risk == score(calm, WEIGHTS, NOW).risk == 0
    assert health(escalated, WEIGHTS) < health(calm, WEIGHTS)


def test_it_computes_health_from_nps_usage_support_and_escalations():
    great = health(features(nps=80, usage_trend_pct=30.0, csat_90d=5.0), WEIGHTS)
    neutral = health(features(), WEIGHTS)
    poor = health(
        features(
            nps=-60,
            usage_trend_pct=-40.0,
            open_tickets=8,
            breaches_90d=5,
            csat_90d=1.5,
            open_escalations={"critical": 1},
        ),
        WEIGHTS,
    )
    assert 0 <= poor < neutral < great <= 100
    assert neutral == 70  # no data: half marks for NPS and usage, full for support/escalations


# The factor settings (ScoreWeights): each changes when its factor fires, with the
# worked-out points and the setting named in the reason.

# Two weeks at 85 users after eight at 100: −15 % over 2 weeks against the 8 before,
# but −7.5 % over 4 against 4 (85, 85, 100, 100 against 100 × 4).
EARLY_DROP = features(usage_weeks=(85, 85, *(100,) * 8))


def test_the_usage_windows_decide_how_early_a_drop_shows():
    assert "usage_drop" not in factors_of(EARLY_DROP)  # 4 against 4: −7.5 % < 10 %
    short = with_settings(usage_recent_weeks=2, usage_baseline_weeks=8)
    factor = {f["name"]: f for f in score(EARLY_DROP, short, NOW).factors}["usage_drop"]
    # strength 15/50 = 0.3 → round(15 × 0.3) = 4 (rounds half to even: 4.5 → 4)
    assert factor["points"] == 4
    assert factor["reason"] == (
        "Weekly active users down 15% (2 weeks against the 8 weeks before; "
        "fires from 10%, full at 50%): +4"
    )
    stricter = with_settings(usage_recent_weeks=2, usage_baseline_weeks=8, usage_drop_from_pct=20)
    assert score(EARLY_DROP, stricter, NOW).factors == []


def test_a_usage_window_needs_half_its_weeks():
    sparse = features(usage_weeks=(50, None, None, None, 100, 100, 100, 100))
    assert score(sparse, WEIGHTS, NOW).factors == []  # 1 of 4 recent weeks known
    two = features(usage_weeks=(50, None, 50, None, 100, 100, None, 100))
    assert factors_of(two)["usage_drop"]["points"] == 15  # −50 % → full strength


# 24 tickets in the 90 days before → 0.267 a day; 3 in 7 days = 1.6× that rate.
MILD_SPIKE = features(tickets_7d=3, tickets_30d=3, tickets_before=24)


def test_the_ticket_spike_ratio_decides_when_a_spike_counts():
    assert "ticket_frequency" not in factors_of(MILD_SPIKE)  # 1.6× < 2×
    factors = score(MILD_SPIKE, with_settings(ticket_spike_ratio=1.5), NOW).factors
    # strength (1.607 − 1.5 + 1) / 4 = 0.277 → round(18 × 0.277) = 5
    assert factors == [
        {
            "name": "ticket_frequency",
            "points": 5,
            "reason": "3 tickets in 7 days, 1.6× the rate of the 90 days before "
            "(fires from 1.5×): +5",
        }
    ]


def test_the_ticket_spike_needs_its_least_number_of_tickets():
    two = features(tickets_7d=2, tickets_30d=2)  # 2 / (7/90) = 25.7× a quiet account's rate
    assert "ticket_frequency" not in factors_of(two)
    factors = score(two, with_settings(ticket_spike_min_tickets=2), NOW).factors
    assert factors[0]["points"] == 18 and factors[0]["reason"].startswith(
        "2 tickets in 7 days, 25.7× the rate"
    )


def test_the_silent_champion_days_decide_when_a_champion_is_silent():
    month = features(champions=1, champion_last_seen=NOW - timedelta(days=30))
    assert "silent_champion" not in factors_of(month)  # 30 < 45
    factors = score(month, with_settings(silent_champion_days=21), NOW).factors
    # strength 30 / 42 = 0.714 → round(8 × 0.714) = 6
    assert factors == [
        {
            "name": "silent_champion",
            "points": 6,
            "reason": "Champion silent for 30 days (silent from 21): +6",
        }
    ]


def test_the_renewal_window_decides_which_renewals_count():
    renewal = features(renewal_date=(NOW + timedelta(days=45)).date())
    # proximity 1 − 0.5 × 45/90 = 0.75, × 0.3 without open tickets → round(10 × 0.225) = 2
    assert factors_of(renewal)["renewal_proximity"]["reason"] == (
        "Renewal in 45 days (within 90): +2"
    )
    assert score(renewal, with_settings(renewal_window_days=30), NOW).factors == []


def _random_features(rng, i: int) -> AccountFeatures:
    def maybe(value):
        return None if rng.random() < 0.3 else value

    return AccountFeatures(
        account_id=i,
        nps=maybe(rng.randint(-100, 100)),
        previous_nps=maybe(rng.randint(-100, 100)),
        usage_weeks=tuple(maybe(rng.randint(0, 120)) for _ in range(rng.randint(0, 12))),
        renewal_date=maybe(NOW.date() + timedelta(days=rng.randint(-10, 120))),
        tickets_7d=rng.randint(0, 8),
        tickets_30d=rng.randint(0, 15),
        tickets_before=rng.randint(0, 30),
        severe_recent=rng.randint(0, 6),
        severe_before=rng.randint(0, 10),
        churn_points_30d=rng.choice([0, 0, 10, 30, 70]),
        churn_tickets_30d=rng.randint(0, 3),
        direct_phrases=rng.choice([(), ("cancel",), ("cancel", "leave")]),
        indirect_phrases=rng.choice([(), ("frustrated",)]),
        message_length_recent=maybe(rng.uniform(0, 400)),
        messages_recent=rng.randint(0, 5),
        message_length_before=maybe(rng.choice([0.0, rng.uniform(1, 400)])),
        messages_before=rng.randint(0, 5),
        sentiment_recent=maybe(round(rng.uniform(-1, 1), 4)),
        sentiment_count_recent=rng.randint(0, 4),
        sentiment_before=maybe(round(rng.uniform(-1, 1), 4)),
        sentiment_count_before=rng.randint(0, 4),
        open_tickets=rng.randint(0, 5),
        breaches_90d=rng.randint(0, 5),
        csat_90d=maybe(rng.uniform(1, 5)),
        champions=rng.randint(0, 2),
        champion_last_seen=maybe(NOW - timedelta(seconds=rng.randint(0, 120 * 86400))),
        open_escalations=rng.choice([{}, {"critical": 1}, {"high": 2, "low": 1}]),
    )


def test_scoring_accounts_one_at_a_time_or_all_at_once_agrees():
    rng = random.Random(3)
    accounts = [_random_features(rng, i) for i in range(500)]
    together = scores(FeatureColumns.of(accounts), WEIGHTS, NOW)
    assert together == [score(f, WEIGHTS, NOW) for f in accounts]
    assert {f["name"] for s in together for f in s.factors} == set(FACTORS)  # all exercised
