from django.core.management.base import BaseCommand, CommandError

from escalations.importer import COLUMNS, import_escalations


class Command(BaseCommand):
    help = (
        f"Import escalation history from a CSV file (columns: {', '.join(COLUMNS)}); "
        "re-importing an external_id updates it; all rows or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv", help="Path to the CSV file (UTF-8, header row).")

    def handle(self, *args, **options):
        try:
            handle = open(options["csv"], newline="", encoding="utf-8-sig")  # noqa: SIM115
        except OSError as e:
            raise CommandError(f"Cannot read {options['csv']}: {e}") from e
        with handle:
            report = import_escalations(handle)
        for error in report.errors:
            self.stderr.write(error)
        if report.errors:
            raise CommandError(f"{len(report.errors)} errors: nothing written.")
        self.stdout.write(f"{report.created} escalations created, {report.updated} updated.")
