"""Suggest risk weights and factor settings from past outcomes: a logistic regression
of "escalation or churn within 30 days" on each factor's strength, one sample per
account and day of a replayed period (vipdesk/insight/replay.py), with non-negative
coefficients mapped back to points. The result is offered as a draft on the backtest
page, never applied by itself.

The factor settings (usage windows, ticket spike, silent champion days, renewal
window: accounts/forms.py FACTOR_SETTINGS) change how strongly each factor fires, so
they are searched too: one setting at a time over a few candidate values, keeping the
value whose fit explains the outcomes best (highest log-likelihood), twice over.

scikit-learn's LogisticRegression does the fit (a well-kept library instead of our own
optimiser); it has no sign constraint, so factors whose coefficient comes out negative
are dropped and the rest refitted until all are non-negative.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np

from accounts.forms import FACTOR_SETTINGS
from accounts.history import USAGE_WINDOWS_MAX_WEEKS
from accounts.scoring import FACTORS, FeatureColumns, strength_columns
from vipdesk.insight.backtest import PRECISION_WINDOW
from vipdesk.insight.replay import WARM_UP, load_outcomes, midnight, replay

if TYPE_CHECKING:
    from sklearn.linear_model import LogisticRegression

NAMES = list(FACTORS)

# The values tried for each factor setting (the saved value is always tried too).
CANDIDATES = {
    "usage_recent_weeks": [1, 2, 3, 4],
    "usage_baseline_weeks": [4, 6, 8],
    "usage_drop_from_pct": [5, 10, 15, 20],
    "usage_drop_full_pct": [15, 20, 30, 50],
    "ticket_spike_ratio": [1.25, 1.5, 2.0, 3.0],
    "ticket_spike_min_tickets": [2, 3, 4],
    "silent_champion_days": [14, 21, 30, 45],
    "renewal_window_days": [30, 60, 90],
}
assert set(CANDIDATES) == set(FACTOR_SETTINGS)
ROUNDS = 2


class Samples:
    """Collects (features, outcome within 30 days) per account and day: every positive,
    a random `keep_negatives` share of the negatives (the fit corrects its intercept)."""

    def __init__(self, outcomes, keep_negatives: float, seed: int):
        self.keep_negatives = keep_negatives
        self.rng = np.random.default_rng(seed)
        self.times: dict[int, list[datetime]] = {}
        for o in outcomes:
            self.times.setdefault(o.account_id, []).append(o.at)
        self.rows: list[tuple[datetime, FeatureColumns]] = []  # the kept accounts of a day
        self.y: list[int] = []

    def __call__(self, moment: datetime, f: FeatureColumns) -> None:
        followed = [
            a
            for a, times in self.times.items()
            if any(moment < t <= moment + PRECISION_WINDOW for t in times)
        ]
        label = np.isin(f.account_id, followed)
        kept = label | (self.rng.random(len(label)) < self.keep_negatives)
        if kept.any():
            self.rows.append((moment, f.take(kept)))
            self.y.extend(label[kept].astype(int).tolist())

    def x(self, weights) -> np.ndarray:
        """Each sample's factor strengths under these weights' factor settings."""
        if not self.rows:
            return np.zeros((0, len(NAMES)))
        return np.concatenate(
            [
                np.stack([fired[n].strength for n in NAMES], 1)
                for fired in (strength_columns(f, weights, moment) for moment, f in self.rows)
            ]
        )


@dataclass
class Fit:
    model: "LogisticRegression"
    active: list[int]  # the factors kept (non-negative coefficients), as NAMES indexes
    log_likelihood: float


def fit(x, y) -> Fit:
    """A logistic regression with non-negative coefficients (negative ones dropped)."""
    # Imported here: scikit-learn (with SciPy) takes ~1.5 s and ~75 MB to import, and
    # every process (web, workers, commands, seed_demo's chunk workers) imports this
    # module through the job schedule, while only the weekly fit uses it.
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    x, y = np.asarray(x, dtype=float), np.asarray(y)
    if len(set(y.tolist())) < 2:
        raise ValueError("The period needs days both followed and not followed by an outcome.")
    active = list(range(len(NAMES)))
    while True:
        model = LogisticRegression(max_iter=1000).fit(x[:, active], y)
        coefficients = model.coef_[0]
        if (coefficients >= 0).all() or len(active) == 1:
            break
        active = [i for i, c in zip(active, coefficients, strict=True) if c >= 0]
    p = np.clip(model.predict_proba(x[:, active])[:, 1], 1e-12, 1 - 1e-12)
    log_likelihood = float(np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))
    return Fit(model, active, log_likelihood)


def points_of(
    result: Fit, *, keep_negatives: float, threshold: int, alert_probability: float
) -> dict[str, int]:
    """Points per factor (ScoreWeights field -> 0–100): a risk of `threshold` where the
    fitted probability of an outcome within 30 days is `alert_probability`."""
    intercept = result.model.intercept_[0] + math.log(keep_negatives)  # undo the sampling
    logit = math.log(alert_probability / (1 - alert_probability))
    scale = threshold / max(logit - intercept, 1e-6)
    points = dict.fromkeys(NAMES, 0)
    for i, c in zip(result.active, result.model.coef_[0], strict=True):
        points[NAMES[i]] = max(0, min(100, round(scale * c)))
    return {FACTORS[name][1]: p for name, p in points.items()}


def fit_points(
    x, y, *, keep_negatives: float, threshold: int, alert_probability: float
) -> dict[str, int]:
    return points_of(
        fit(x, y),
        keep_negatives=keep_negatives,
        threshold=threshold,
        alert_probability=alert_probability,
    )


def _usage_windows_fit(settings: dict) -> bool:
    return settings["usage_recent_weeks"] + settings["usage_baseline_weeks"] <= (
        USAGE_WINDOWS_MAX_WEEKS
    )


def search_settings(samples: Samples, weights, rounds: int = ROUNDS) -> tuple[dict, Fit]:
    """The factor settings whose fit explains the samples best: one setting at a time
    over its candidates (and its current value), the others held, `rounds` times."""
    settings = {name: getattr(weights, name) for name in FACTOR_SETTINGS}

    def trial(values: dict) -> Fit:
        return fit(samples.x(SimpleNamespace(**values)), samples.y)

    best = trial(settings)
    for _ in range(rounds):
        for name in FACTOR_SETTINGS:
            for value in sorted({*CANDIDATES[name], settings[name]}):
                tried = {**settings, name: value}
                if value == settings[name] or not _usage_windows_fit(tried):
                    continue
                result = trial(tried)
                if result.log_likelihood > best.log_likelihood:
                    settings, best = tried, result
    return settings, best


def suggest(
    samples: Samples, weights, *, alert_probability: float = 0.05, search: bool = True
) -> dict:
    """A draft: the factor settings (searched) and the points fitted under them."""
    if search:
        settings, result = search_settings(samples, weights)
    else:
        settings = {name: getattr(weights, name) for name in FACTOR_SETTINGS}
        result = fit(samples.x(weights), samples.y)
    points = points_of(
        result,
        keep_negatives=samples.keep_negatives,
        threshold=weights.csm_attention_threshold,
        alert_probability=alert_probability,
    )
    return {**points, **settings}


def collect_samples(
    start: date, end: date, *, keep_negatives: float = 0.1, seed: int = 0
) -> Samples:
    """Replay [start, end] and keep what followed each sampled account and day."""
    outcomes = load_outcomes(midnight(start) - WARM_UP, midnight(end) + PRECISION_WINDOW)
    samples = Samples(outcomes, keep_negatives, seed)
    replay(start, end, {}, collect=samples)
    return samples


def suggest_draft(start: date, end: date, weights) -> dict:
    """Fit factor settings and points to [start, end]; only what differs from `weights`."""
    draft = suggest(collect_samples(start, end), weights)
    return {name: value for name, value in draft.items() if getattr(weights, name) != value}
