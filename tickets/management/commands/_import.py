"""Shared by import_accounts, import_contacts and import_tickets."""

from django.core.management.base import BaseCommand, CommandError

from tickets.intake.csv_import import import_csv


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser):
        parser.add_argument("csv", help="Path to the CSV file (UTF-8, header row).")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Write the valid rows and report the others (default: all or nothing).",
        )
        parser.add_argument("--chunk-size", type=int, default=1000)
        parser.add_argument("--progress-every", type=int, default=10_000)

    def handle(self, *args, **options):
        try:
            handle = open(options["csv"], newline="", encoding="utf-8-sig")  # noqa: SIM115
        except OSError as e:
            raise CommandError(f"Cannot read {options['csv']}: {e}") from e
        with handle:
            report = import_csv(
                self.kind,
                handle,
                skip_invalid=options["skip_invalid"],
                chunk_size=options["chunk_size"],
                progress=lambda n: self.stdout.write(f"… {n} rows"),
                progress_every=options["progress_every"],
            )
        for error in report.errors:
            self.stderr.write(error)
        self.stdout.write(report.summary)
        if not report.committed:
            raise CommandError(f"{report.error_count} invalid cells or rows: nothing written.")
