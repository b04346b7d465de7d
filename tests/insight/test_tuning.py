"""Suggested weights: non-negative points fitted to what followed each day."""

import random

import pytest

from vipdesk.insight.tuning import NAMES, fit_points


def test_it_gives_points_to_factors_that_precede_outcomes_and_none_to_the_others():
    rng = random.Random(1)
    usage, champion = NAMES.index("usage_drop"), NAMES.index("silent_champion")
    x, y = [], []
    for _ in range(4000):
        row = [0.0] * len(NAMES)
        row[usage] = rng.random() if rng.random() < 0.3 else 0.0
        row[champion] = rng.random() if rng.random() < 0.3 else 0.0
        # Outcomes follow usage drops; a silent champion makes them *less* likely here.
        p = 0.02 + 0.6 * row[usage] - 0.015 * row[champion]
        x.append(row)
        y.append(int(rng.random() < max(p, 0.0)))
    points = fit_points(x, y, keep_negatives=1.0, threshold=70, alert_probability=0.3)
    assert points["usage_drop_points"] > 30
    assert points["silent_champion_points"] == 0
    assert all(0 <= p <= 100 for p in points.values())


def test_it_needs_both_kinds_of_days():
    with pytest.raises(ValueError):
        fit_points(
            [[0.0] * len(NAMES)] * 3,
            [0, 0, 0],
            keep_negatives=1.0,
            threshold=70,
            alert_probability=0.2,
        )
