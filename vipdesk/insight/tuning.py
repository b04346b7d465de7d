"""Suggest risk weights from past outcomes: a logistic regression of "escalation or
churn within 30 days" on each factor's strength, one sample per account and day of a
replayed period (vipdesk/insight/replay.py), with non-negative coefficients mapped
back to points. The result is offered as a draft on the backtest page, never applied
by itself.

scikit-learn's LogisticRegression does the fit (a well-kept library instead of our own
optimiser); it has no sign constraint, so factors whose coefficient comes out negative
are dropped and the rest refitted until all are non-negative.
"""

import math
from datetime import date, datetime

import numpy as np
from sklearn.linear_model import LogisticRegression

from accounts.scoring import FACTORS, FeatureColumns, strength_columns
from vipdesk.insight.backtest import PRECISION_WINDOW
from vipdesk.insight.replay import WARM_UP, load_outcomes, midnight, replay

NAMES = list(FACTORS)


class Samples:
    """Collects (strengths, outcome within 30 days) per account and day: every positive,
    a random `keep_negatives` share of the negatives (the fit corrects its intercept)."""

    def __init__(self, weights, outcomes, keep_negatives: float, seed: int):
        self.weights = weights
        self.keep_negatives = keep_negatives
        self.rng = np.random.default_rng(seed)
        self.times: dict[int, list[datetime]] = {}
        for o in outcomes:
            self.times.setdefault(o.account_id, []).append(o.at)
        self.x: list[list[float]] = []
        self.y: list[int] = []

    def __call__(self, moment: datetime, f: FeatureColumns) -> None:
        followed = [
            a
            for a, times in self.times.items()
            if any(moment < t <= moment + PRECISION_WINDOW for t in times)
        ]
        label = np.isin(f.account_id, followed)
        kept = label | (self.rng.random(len(label)) < self.keep_negatives)
        if not kept.any():
            return
        fired = strength_columns(f.take(kept), self.weights, moment)
        self.x.extend(np.stack([fired[n].strength for n in NAMES], 1).tolist())
        self.y.extend(label[kept].astype(int).tolist())


def fit_points(
    x, y, *, keep_negatives: float, threshold: int, alert_probability: float
) -> dict[str, int]:
    """Points per factor (ScoreWeights field -> 0–100): a risk of `threshold` where the
    fitted probability of an outcome within 30 days is `alert_probability`."""
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
    intercept = model.intercept_[0] + math.log(keep_negatives)  # undo the sampling
    logit = math.log(alert_probability / (1 - alert_probability))
    scale = threshold / max(logit - intercept, 1e-6)
    points = dict.fromkeys(NAMES, 0)
    for i, c in zip(active, coefficients, strict=True):
        points[NAMES[i]] = max(0, min(100, round(scale * c)))
    return {FACTORS[name][1]: p for name, p in points.items()}


def suggest_points(
    start: date,
    end: date,
    weights,
    *,
    alert_probability: float = 0.15,
    keep_negatives: float = 0.1,
    seed: int = 0,
) -> dict[str, int]:
    """Replay [start, end] and fit points to what followed each day."""
    outcomes = load_outcomes(midnight(start) - WARM_UP, midnight(end) + PRECISION_WINDOW)
    samples = Samples(weights, outcomes, keep_negatives, seed)
    replay(start, end, {}, collect=samples)
    return fit_points(
        samples.x,
        samples.y,
        keep_negatives=keep_negatives,
        threshold=weights.csm_attention_threshold,
        alert_probability=alert_probability,
    )
