import json
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from accounts.models import ScoreWeights
from vipdesk.insight.replay import replay, report


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


class Command(BaseCommand):
    help = (
        "Replay a period day by day with honest as-of risk scores (nothing is written) and "
        "report lead-time recall, alert load, precision and the best simple rule at equal "
        "alert volume. --json writes the integration contract's figures."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, type=date.fromisoformat)
        parser.add_argument("--to", dest="end", required=True, type=date.fromisoformat)
        parser.add_argument("--threshold", type=int, default=70)
        parser.add_argument("--json", dest="json_path", required=True)

    def handle(self, *args, start: date, end: date, threshold: int, json_path: str, **options):
        if end < start:
            raise CommandError("--to is before --from")
        if not 1 <= threshold <= 100:
            raise CommandError("--threshold must be between 1 and 100")
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            if done % 30 == 0 or done == total:
                self.stdout.write(f"… {done}/{total} days replayed")

        replayed = replay(
            start, end, {"saved": ScoreWeights.load()}, floor=threshold, progress=progress
        )
        result = report(replayed, "saved", threshold)
        figures = result["figures"]
        with open(json_path, "w", encoding="utf-8") as out:
            json.dump(figures.as_contract(), out, indent=2)
        w = self.stdout.write
        w(f"Backtest {start} … {end} at risk ≥ {threshold} ({time.monotonic() - started:.1f} s)")
        w(f"  escalations: {figures.escalations}")
        w(
            "  recall: "
            + ", ".join(f"{_pct(v)} ≥ {name} ahead" for name, v in figures.recall.items())
        )
        w(
            f"  alerts: {figures.alerts} ({figures.alerts_per_csm_week} per CSM per week, "
            f"busiest CSM {figures.busiest_csm_per_week})"
        )
        w(
            f"  precision (escalation or churn within 30 days): {_pct(figures.precision_30d)}; "
            f"base rate {_pct(figures.base_rate_30d)}; lift {figures.lift}"
        )
        for name, (label, rule) in result["rules"].items():
            best = " (best)" if name == result["best_rule"] else ""
            w(
                f"  rule {name}{best}: {label}: {rule.alerts} alerts, recall "
                + ", ".join(f"{_pct(v)} ≥ {n}" for n, v in rule.recall.items())
                + f", precision {_pct(rule.precision_30d)}"
            )
        for source, split in result["by_source"].items():
            w(
                f"  source {source}: {split['escalations']} escalations, recall "
                + ", ".join(f"{_pct(v)} ≥ {n}" for n, v in split["recall"].items())
            )
        w(f"  factors behind true alerts: {result['true_factor_shares']}")
        w(f"  factors behind false alerts: {result['false_factor_shares']}")
        w(self.style.SUCCESS(f"Wrote {json_path}"))
