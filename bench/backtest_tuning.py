"""Benchmark: fit suggested weights and factor settings on the first half of a seeded
demo year and backtest them, beside the saved weights, on the second half (out of
sample).

    DATABASE_URL=… .venv/bin/python bench/backtest_tuning.py --fit 2025-12-01:2026-05-31 \
        --test 2026-06-01:2026-11-30 [--probability 0.05 0.1 0.15]

Runs against the database as it is (seed it first: `manage.py seed_demo --flush
--accounts 3000 --tickets 60000 --now 2026-12-01T00:00:00`). Writes nothing. Prints the
suggested draft (factor settings searched, points fitted) for each alert probability,
then recall 24 h / 72 h / 7 d, alerts per CSM and week (average, busiest CSM) and
precision at 70 and 85 for every weight set, the best simple rule at equal alert volume,
and the seconds each phase took.
"""

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vipdesk.settings")

import django  # noqa: E402

django.setup()

from accounts.models import ScoreWeights  # noqa: E402
from vipdesk.insight.jobs import draft_weights  # noqa: E402
from vipdesk.insight.replay import replay, report  # noqa: E402
from vipdesk.insight.tuning import collect_samples, search_settings, suggest  # noqa: E402


def period(text: str) -> tuple[date, date]:
    start, end = text.split(":")
    return date.fromisoformat(start), date.fromisoformat(end)


def pct(value) -> str:
    return "  —" if value is None else f"{value:4.0%}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fit", type=period, required=True)
    parser.add_argument("--test", type=period, required=True)
    parser.add_argument("--probability", type=float, nargs="+", default=[0.05, 0.1, 0.15])
    args = parser.parse_args()
    saved = ScoreWeights.load()

    started = time.monotonic()
    samples = collect_samples(*args.fit)
    print(
        f"fit replay {time.monotonic() - started:.0f} s: {len(samples.y)} samples, "
        f"{sum(samples.y)} positive"
    )
    started = time.monotonic()
    settings, _ = search_settings(samples, saved)
    print(f"settings search {time.monotonic() - started:.0f} s: {settings}")
    sets = {"saved": saved}
    for p in args.probability:
        draft = suggest(samples, draft_weights(settings), alert_probability=p, search=False)
        print(f"suggested at p={p}: {draft}")
        sets[f"p={p}"] = draft_weights(draft)

    started = time.monotonic()
    replayed = replay(*args.test, sets, floor=min(w.csm_attention_threshold for w in sets.values()))
    print(f"test replay {time.monotonic() - started:.0f} s ({len(replayed.moments)} days)")
    for threshold in (70, 85):
        for name in sets:
            r = report(replayed, name, threshold)
            f = r["figures"]
            label, rule = r["rules"][r["best_rule"]]
            print(
                f"≥{threshold} {name:>7}: escalations {f.escalations},"
                f" recall 24h {pct(f.recall['24h'])}"
                f" 72h {pct(f.recall['72h'])} 7d {pct(f.recall['7d'])}, alerts {f.alerts}"
                f" ({f.alerts_per_csm_week}/CSM/week, busiest {f.busiest_csm_per_week}),"
                f" precision {pct(f.precision_30d)}, lift {f.lift} | best rule {label}:"
                f" recall 24h {pct(rule.recall['24h'])} 7d {pct(rule.recall['7d'])},"
                f" alerts {rule.alerts}, precision {pct(rule.precision_30d)}"
            )
            if name != "saved" and threshold == 70:
                print(f"    factors behind true alerts {r['true_factor_shares']}")


if __name__ == "__main__":
    main()
