"""Backtest rules on small hand-made histories with worked-out answers."""

import random
from datetime import UTC, datetime, timedelta

from vipdesk.insight.backtest import (
    Outcome,
    at_equal_volume,
    crossings_by_cutoff,
    episodes,
    evaluate,
)

DAY = timedelta(days=1)
T0 = datetime(2026, 3, 2, tzinfo=UTC)
MOMENTS = [T0 + i * DAY for i in range(14)]
PERIOD = (T0, T0 + 14 * DAY)


def series(risks: dict[int, list[int]]) -> list[dict[int, int]]:
    """account -> risk at each moment (0 where the list is short)."""
    return [
        {a: values[i] for a, values in risks.items() if i < len(values) and values[i]}
        for i in range(len(MOMENTS))
    ]


def run(risks, outcomes, threshold=70, csm_of=None):
    crossings = episodes(MOMENTS, series(risks), threshold)
    return evaluate(
        crossings,
        outcomes,
        threshold=threshold,
        period=PERIOD,
        csm_of=csm_of or {a: 1 for a in risks},
        moments=MOMENTS,
    )


def test_an_escalation_flagged_3_days_ahead_counts_at_24h_and_72h_but_not_7d():
    opened = MOMENTS[5] + timedelta(hours=6)  # 3 days 6 hours after the crossing at moment 2
    f = run(
        {1: [0, 0, 72, 75, 71, 80, 80]},
        [Outcome(1, opened, "escalation", code="ESC-0001", account="Acme")],
    )
    assert f.escalations == 1
    assert f.recall == {"24h": 1.0, "72h": 1.0, "7d": 0.0}
    assert f.per_escalation == [
        {
            "code": "ESC-0001",
            "external_id": None,
            "account": "Acme",
            "opened_at": opened.isoformat(),
            "first_crossed_at": MOMENTS[2].isoformat(),
            "lead_hours": 78.0,
        }
    ]
    assert f.alerts == 1 and f.precision_30d == 1.0


def test_an_episode_that_ended_before_the_escalation_does_not_flag_it():
    opened = MOMENTS[6]
    f = run({1: [0, 90, 90, 10, 10, 10, 10]}, [Outcome(1, opened, "escalation")])
    assert f.recall == {"24h": 0.0, "72h": 0.0, "7d": 0.0}
    assert f.per_escalation[0]["first_crossed_at"] is None
    assert f.per_escalation[0]["lead_hours"] is None


def test_a_crossing_with_no_escalation_is_a_false_alert():
    escalated = Outcome(1, MOMENTS[4], "escalation")
    f = run({1: [0, 75, 75, 75, 75], 2: [0, 0, 80, 80]}, [escalated])
    assert f.alerts == 2
    assert [e.account_id for e in f.true_alerts] == [1]
    assert [e.account_id for e in f.false_alerts] == [2]
    assert f.precision_30d == 0.5


def test_a_churn_within_30_days_makes_a_true_alert_and_later_does_not():
    f = run(
        {1: [75], 2: [75]},
        [Outcome(1, MOMENTS[0] + 29 * DAY, "churn"), Outcome(2, MOMENTS[0] + 31 * DAY, "churn")],
    )
    assert [e.account_id for e in f.true_alerts] == [1]
    assert f.escalations == 0 and f.recall["24h"] is None


def test_a_second_crossing_within_an_episode_is_not_a_new_alert():
    risks = {3: [72, 90, 75, 60, 0, 72]}
    assert run(risks, []).alerts == 2  # 72-90-75 is one episode; back below, then again
    assert run(risks, [], threshold=85).alerts == 1
    assert [e.end for e in episodes(MOMENTS, series(risks), 70)] == [MOMENTS[3], MOMENTS[6]]


def test_alert_load_is_per_csm_per_week():
    f = run({1: [75], 2: [75], 3: [75], 4: [75]}, [], csm_of={1: 7, 2: 7, 3: 8, 4: 8})
    assert f.alerts == 4
    assert f.alerts_per_csm_week == 1.0  # 4 alerts, 2 CSMs, 2 weeks
    assert f.busiest_csm_per_week == 1.0


def test_accounts_without_a_csm_do_not_make_a_busiest_csm():
    f = run({1: [75], 2: [75], 3: [75], 4: [75]}, [], csm_of={1: 7, 2: None, 3: None, 4: None})
    assert f.alerts == 4
    assert f.busiest_csm_per_week == 0.5  # CSM 7's one alert in 2 weeks; 3 reach no CSM


def test_a_simple_rule_is_compared_at_the_cutoff_giving_the_same_alert_volume():
    tickets = series({1: [3, 9], 2: [5], 3: [6], 4: [12]})
    assert at_equal_volume(MOMENTS, tickets, list(range(2, 15)), 2, PERIOD) == 7


def test_crossings_are_counted_for_every_cutoff_as_episodes_count_them():
    rng = random.Random(5)
    values = {a: [rng.choice([0, 0, 1, 3, 5, 8]) for _ in MOMENTS] for a in range(40)}
    cutoffs = [1, 2, 3, 4, 5, 6, 7, 8, 9]
    period = (MOMENTS[3], MOMENTS[11])
    counted = crossings_by_cutoff(MOMENTS, series(values), cutoffs, period)
    assert counted == {
        c: sum(1 for e in episodes(MOMENTS, series(values), c) if period[0] <= e.start < period[1])
        for c in cutoffs
    }
