from django.core.management.base import BaseCommand

from vipdesk.insight.rescore import rescore_all


class Command(BaseCommand):
    help = "Rescore every account now (synchronously), with progress."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=5000)

    def handle(self, *args, chunk_size: int, **options):
        import time

        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            elapsed = max(time.monotonic() - started, 1e-6)
            self.stdout.write(f"{done}/{total} accounts scored ({done / elapsed:,.0f}/s)")

        result = rescore_all(chunk_size=chunk_size, progress=progress)
        rate = result.accounts / max(result.seconds, 1e-6)
        self.stdout.write(
            self.style.SUCCESS(
                f"Scored {result.accounts} accounts in {result.seconds:.1f} s ({rate:,.0f}/s); "
                f"{result.alerts} threshold alerts raised (run {result.run_id})."
            )
        )
