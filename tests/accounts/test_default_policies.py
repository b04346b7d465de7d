import importlib
from decimal import Decimal

from django.apps import apps

from accounts.models import ScoreWeights, TierPolicy
from escalations.models import EscalationMatrixLevel, SeverityPolicy
from tickets.models import BusinessHours, ChurnPhrase, RoutingPolicy, SlaPolicy


def test_it_loads_the_spec_tier_bands(db):
    bands = {p.tier: (p.min_arr, p.max_arr) for p in TierPolicy.objects.all()}
    assert bands == {
        1: (Decimal("500000"), None),
        2: (Decimal("100000"), Decimal("500000")),
        3: (Decimal("50000"), Decimal("100000")),
        4: (Decimal("0"), Decimal("50000")),
    }
    tier1 = TierPolicy.objects.get(tier=1)
    assert tier1.strategic_qualifies and tier1.executive_review_qualifies


def test_it_loads_the_spec_sla_matrix(db):
    matrix = {
        (s.tier, s.priority): (s.first_response_minutes, s.calendar, s.queue)
        for s in SlaPolicy.objects.all()
    }
    assert len(matrix) == 16
    assert matrix[(1, "P1")] == (15, "24x7", "senior")
    assert matrix[(1, "P3")] == (30, "24x7", "enterprise")
    assert matrix[(2, "P4")] == (30, "business", "priority")
    assert matrix[(3, "P2")] == (60, "business", "priority")
    assert matrix[(4, "P1")] == (60, "24x7", "general")
    assert matrix[(4, "P2")] == (240, "business", "general")
    assert matrix[(4, "P3")] == (480, "business", "general")
    assert matrix[(4, "P4")] == (1440, "business", "general")
    resolution = {s.priority: s.resolution_minutes for s in SlaPolicy.objects.filter(tier=4)}
    assert resolution == {"P1": 1440, "P2": 2880, "P3": 7200, "P4": 14400}
    assert SlaPolicy.objects.get(tier=2, priority="P1").open_escalation
    assert set(SlaPolicy.objects.filter(notify_csm=True).values_list("tier", "priority")) == {
        (1, "P1"),
        (1, "P2"),
        (2, "P1"),
        (2, "P2"),
        (3, "P1"),
        (3, "P2"),
    }
    tier3 = SlaPolicy.objects.get(tier=3, priority="P3")
    assert tier3.min_tenure_months == 6


def test_it_loads_thresholds_cap_phrases_and_hours(db):
    weights = ScoreWeights.load()
    assert (
        weights.csm_attention_threshold,
        weights.leadership_threshold,
        weights.executive_outreach_threshold,
    ) == (70, 85, 95)
    routing = RoutingPolicy.load()
    assert routing.vip_share_cap_pct == 40
    assert (routing.vip_renewal_boost_days, routing.any_renewal_boost_days) == (90, 60)
    phrases = dict(ChurnPhrase.objects.values_list("phrase", "kind"))
    assert phrases["evaluating alternatives"] == "direct"
    assert phrases["executive team is asking"] == "indirect"
    assert len(phrases) == 9
    assert list(BusinessHours.objects.values_list("weekday", flat=True)) == [0, 1, 2, 3, 4]


def test_it_loads_severity_slas_and_the_escalation_matrix(db):
    slas = {
        s.severity: (s.response_minutes, s.resolution_minutes) for s in SeverityPolicy.objects.all()
    }
    assert slas == {
        "critical": (60, 1440),
        "high": (240, 2880),
        "medium": (480, 7200),
        "low": (1440, 14400),
    }
    assert EscalationMatrixLevel.objects.filter(severity="critical").count() == 3
    assert EscalationMatrixLevel.objects.filter(severity="low").count() == 1


def test_a_fresh_install_scores_with_the_fitted_points_and_factor_settings(db):
    weights = ScoreWeights.load()
    assert (weights.usage_drop_points, weights.usage_recent_weeks) == (99, 1)
    assert (weights.usage_drop_full_pct, weights.ticket_spike_ratio) == (15, 3.0)
    assert weights.renewal_proximity_points == weights.silent_champion_points == 0


def test_edited_weights_keep_their_factor_definitions_after_the_upgrade(db):
    upgrade = importlib.import_module("accounts.migrations.0015_warning_fitted_defaults")
    before = {  # the factor definitions 0013 gave existing weights
        "usage_recent_weeks": 4,
        "usage_baseline_weeks": 4,
        "usage_drop_from_pct": 10,
        "usage_drop_full_pct": 50,
        "ticket_spike_ratio": 2.0,
        "ticket_spike_min_tickets": 3,
    }
    ScoreWeights.objects.filter(pk=1).update(
        **{**upgrade.OLD_POINTS, "usage_drop_points": 30}, **before
    )
    upgrade.adopt_new_defaults(apps, None)
    edited = ScoreWeights.load()
    assert edited.usage_drop_points == 30 and edited.churn_language_points == 25
    assert (edited.usage_recent_weeks, edited.usage_drop_full_pct) == (4, 50)

    ScoreWeights.objects.filter(pk=1).update(**upgrade.OLD_POINTS, **before)
    upgrade.adopt_new_defaults(apps, None)
    untouched = ScoreWeights.load()  # the new defaults, points and settings together
    assert (untouched.usage_drop_points, untouched.usage_recent_weeks) == (99, 1)
    assert (untouched.usage_drop_full_pct, untouched.ticket_spike_ratio) == (15, 3.0)
