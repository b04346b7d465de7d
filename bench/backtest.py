"""Benchmark: `backtest_risk`'s replay over a year of seed_demo history, with its figures
against the early-warning goals (issue 15).

    DATABASE_URL=postgres://…/vipdesk_bench .venv/bin/python bench/backtest.py \
        [--from 2025-12-01 --to 2026-11-30] [--per-day-sample 3]

Runs against the database as it is (seeded with `manage.py seed_demo`, migrated with
this branch); writes nothing. The period defaults to the 365 days before the newest
ticket's day. Prints the replay's seconds (reading the history, then rolling and
scoring the days), peak RSS, and for risk ≥ 70 and ≥ 85: lead-time recall, alert load,
precision and lift, and the best simple rule at equal alert volume. --per-day-sample N
also times N days of the per-day path (one features statement a day) for comparison.
"""

import argparse
import os
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vipdesk.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db.models import Max  # noqa: E402

from accounts.models import Account, ScoreWeights  # noqa: E402
from tickets.models import Ticket  # noqa: E402
from vipdesk.insight import rolling  # noqa: E402
from vipdesk.insight.asof import columns_as_of  # noqa: E402
from vipdesk.insight.replay import replay, report  # noqa: E402

GOALS = [
    "≥ 70 % of escalations at ≥ 70 at least 24 h ahead, ≥ 50 % at least 7 days ahead",
    "≤ 3 new alerts per CSM per week",
    "precision ≥ 20 % at ≥ 85",
    "≥ 10 points more recall than the best simple rule at equal alert volume",
]


def pct(value) -> str:
    return "—" if value is None else f"{value:.0%}"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="start", type=date.fromisoformat)
    parser.add_argument("--to", dest="end", type=date.fromisoformat)
    parser.add_argument("--per-day-sample", type=int, default=0)
    args = parser.parse_args()
    newest = Ticket.objects.aggregate(at=Max("created_at"))["at"]
    if newest is None:
        sys.exit("No tickets: seed the database with manage.py seed_demo first.")
    end = args.end or newest.date() - timedelta(days=1)
    start = args.start or end - timedelta(days=364)
    weights = ScoreWeights.load()
    print(
        f"{Account.objects.count():,} accounts, {Ticket.objects.count():,} tickets; "
        f"replaying {start} … {end} ({(end - start).days + 1} days + a week of warm-up)"
    )

    read = {}
    real_history = rolling.History

    def timed_history(until):
        began = time.monotonic()
        history = real_history(until)
        read["seconds"] = time.monotonic() - began
        return history

    rolling.History = timed_history

    def progress(done: int, total: int) -> None:
        if done % 60 == 0 or done == total:
            print(f"  … {done}/{total} days ({time.monotonic() - started:.0f} s)", flush=True)

    started = time.monotonic()
    replayed = replay(start, end, {"saved": weights}, floor=70, progress=progress)
    took = time.monotonic() - started
    days = len(replayed.moments)
    print(
        f"replay: {took:.1f} s ({read['seconds']:.1f} s reading the history, "
        f"{(took - read['seconds']) / days * 1000:.0f} ms a day for {days} days); "
        f"peak RSS {rss_mb():.0f} MB"
    )
    if args.per_day_sample:
        began = time.monotonic()
        for moment in replayed.moments[-args.per_day_sample :]:
            for _ in columns_as_of(moment):
                pass
        each = (time.monotonic() - began) / args.per_day_sample
        print(
            f"per-day path: {each:.1f} s a day for the features statement alone "
            f"(≈ {each * days / 60:.0f} min for {days} days)"
        )

    for threshold in (70, 85):
        result = report(replayed, "saved", threshold)
        f = result["figures"]
        best_label, best = result["rules"][result["best_rule"]]
        print(f"\nrisk ≥ {threshold}: {f.escalations} escalations in the period")
        print("  recall: " + ", ".join(f"{pct(v)} ≥ {name} ahead" for name, v in f.recall.items()))
        print(
            f"  alerts: {f.alerts:,} ({f.alerts_per_csm_week} per CSM per week, busiest CSM "
            f"{f.busiest_csm_per_week})"
        )
        print(
            f"  precision (escalation or churn within 30 days): {pct(f.precision_30d)}; "
            f"base rate {pct(f.base_rate_30d)}; lift {f.lift}"
        )
        print(
            f"  best simple rule at equal volume: {best_label}: {best.alerts:,} alerts, recall "
            + ", ".join(f"{pct(v)} ≥ {n}" for n, v in best.recall.items())
            + f", precision {pct(best.precision_30d)}"
        )
        print(f"  factors behind true alerts: {result['true_factor_shares']}")
        print(f"  factors behind false alerts: {result['false_factor_shares']}")
        for source, split in result["by_source"].items():
            print(
                f"  source {source}: {split['escalations']} escalations, recall "
                + ", ".join(f"{pct(v)} ≥ {n}" for n, v in split["recall"].items())
            )
    print("\ngoals (issue 15):")
    for goal in GOALS:
        print(f"  {goal}")


if __name__ == "__main__":
    main()
