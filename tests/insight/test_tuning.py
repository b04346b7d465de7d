"""Suggested weights: non-negative points fitted to what followed each day, and the
factor settings under which the factors explain the outcomes best."""

import os
import random
import subprocess
import sys
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from accounts.forms import FACTOR_SETTINGS
from accounts.scoring import AccountFeatures, FeatureColumns
from vipdesk.insight.tuning import NAMES, Samples, fit_points, suggest

NOW = datetime(2026, 6, 1, tzinfo=UTC)


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


def test_it_finds_the_usage_window_that_sees_trouble_coming():
    """Outcomes follow two weeks at 85 users after weeks at 100: −15 % over the 2 latest
    weeks against the 8 before, only −7.5 % over 4 against 4 (under the 10 % the
    factor fires from). Quiet accounts dip the same way three weeks earlier."""
    rng = random.Random(2)
    early = (85, 85, *(100,) * 10)
    older = (100, 100, 85, 85, *(100,) * 8)
    flat = (100,) * 12
    samples = Samples([], keep_negatives=1.0, seed=0)
    accounts = []
    for i in range(3000):
        weeks, label = (early, 1) if i % 10 == 0 else (rng.choice([older, flat]), 0)
        label = label if rng.random() < 0.9 else 1 - label
        accounts.append(AccountFeatures(account_id=i, usage_weeks=weeks))
        samples.y.append(label)
    samples.rows.append((NOW, FeatureColumns.of(accounts)))  # one day of accounts
    saved = SimpleNamespace(
        csm_attention_threshold=70,
        usage_recent_weeks=4,
        usage_baseline_weeks=4,
        usage_drop_from_pct=10,
        usage_drop_full_pct=50,
        ticket_spike_ratio=2.0,
        ticket_spike_min_tickets=3,
        silent_champion_days=45,
        renewal_window_days=90,
    )
    draft = suggest(samples, saved, alert_probability=0.5)
    assert set(FACTOR_SETTINGS) <= set(draft)
    assert draft["usage_recent_weeks"] <= 2
    assert draft["usage_drop_points"] > 0
    assert all(draft[f"{name}_points"] == 0 for name in NAMES if name != "usage_drop")


def test_processes_start_without_importing_scikit_learn():
    """Web, worker and command processes load every app (and the job schedule, which
    names the weekly fit) but only the fit needs scikit-learn: importing it at start
    cost every process ~1.5 s and ~75 MB."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vipdesk.settings"}
    code = (
        "import sys, django; django.setup(); import vipdesk.cron; "
        "print(sorted({'sklearn', 'scipy'} & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
