"""The recommended approach: pure rules over an account's signals."""

from decimal import Decimal

from vipdesk.insight.recommendations import URGENT, AccountSignals, Thresholds, recommend


def signals(**kw) -> AccountSignals:
    base = dict(
        tier=2,
        risk_score=20,
        risk_level="low",
        factors=[],
        days_to_renewal=300,
        executive_contacts=1,
        has_champion=True,
        executive_sponsor="Dana VP",
    )
    base.update(kw)
    return AccountSignals(**base)


def actions(recs) -> str:
    return " | ".join(f"{r.action} — {r.reason}" for r in recs)


def test_it_recommends_executive_outreach_for_critical_risk_near_renewal():
    recs = recommend(signals(risk_score=92, risk_level="critical", days_to_renewal=41))
    assert recs[0].priority == URGENT
    assert recs[0].action.startswith("Executive outreach within 48 h")
    assert recs[0].reason == "risk 92 and renewal in 41 days"


def test_it_recommends_executive_outreach_above_the_outreach_threshold():
    recs = recommend(signals(risk_score=96, risk_level="critical", days_to_renewal=300))
    assert "Executive outreach" in recs[0].action


def test_it_follows_the_admin_thresholds():
    thresholds = Thresholds(csm_attention=50, leadership=60, executive_outreach=99)
    recs = recommend(signals(risk_score=65, risk_level="medium"), thresholds)
    assert "CS leadership" in actions(recs)
    recs = recommend(signals(risk_score=55, risk_level="medium"), thresholds)
    assert "CSM check-in" in actions(recs)


def test_it_puts_open_escalations_first_when_critical():
    recs = recommend(signals(open_escalations=2, critical_escalations=1))
    assert recs[0].priority == URGENT
    assert "Resolve the open escalation" in recs[0].action
    assert "2 open escalations, 1 critical" in recs[0].reason


def test_it_explains_usage_drop_and_nps_fall():
    text = actions(recommend(signals(usage_trend_pct=-25.0, nps=20, previous_nps=45)))
    assert "Adoption review" in text and "weekly active users -25% over 4 weeks" in text
    assert "NPS fell from 45 to 20" in text


def test_it_uses_factor_reasons_for_churn_language():
    factor = {"name": "churn_language", "points": 25, "reason": "“cancel” in ticket #7"}
    text = actions(recommend(signals(risk_score=75, risk_level="high", factors=[factor])))
    assert "churn language" in text and "“cancel” in ticket #7" in text


def test_it_asks_for_stakeholders_and_a_sponsor_on_vip_accounts():
    text = actions(
        recommend(signals(tier=1, executive_contacts=0, has_champion=False, executive_sponsor=""))
    )
    assert "Map an executive stakeholder" in text
    assert "Assign an executive sponsor" in text
    assert "Re-engage the champion" in text
    # Standard accounts are not held to that.
    text = actions(
        recommend(signals(tier=4, executive_contacts=0, has_champion=False, executive_sponsor=""))
    )
    assert "executive sponsor" not in text


def test_it_holds_expansion_on_risky_accounts_and_pursues_it_on_healthy_ones():
    risky = actions(
        recommend(signals(risk_score=80, risk_level="high", expansion_opportunity=Decimal(50000)))
    )
    assert "Hold the expansion pitch" in risky and "$50,000" in risky
    healthy = actions(recommend(signals(expansion_opportunity=Decimal(50000))))
    assert "Pursue the expansion opportunity" in healthy


def test_it_keeps_the_cadence_when_nothing_is_wrong():
    recs = recommend(signals())
    assert len(recs) == 1 and "regular cadence" in recs[0].action


def test_it_sorts_recommendations_most_urgent_first():
    recs = recommend(
        signals(
            risk_score=92,
            risk_level="critical",
            days_to_renewal=30,
            usage_trend_pct=-30.0,
            open_escalations=1,
            open_tickets=5,
        )
    )
    assert [r.priority for r in recs] == sorted(r.priority for r in recs)
    assert all(r.reason for r in recs)
