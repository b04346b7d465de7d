"""Importing CSV files (CRM exports): the machinery every importer shares.

- Every row is validated; problems read "line N, column X: message" (line 1 is
  the header).
- All or nothing: the whole file is one transaction, rolled back if any row is
  invalid — unless skip_invalid, which writes the valid rows and reports the rest.
- Streaming: a csv reader over the file, upserts chunk by chunk (a few queries per
  chunk), a progress callback every `progress_every` rows; memory stays flat
  apart from the set of keys seen (to report duplicate rows).

An Importer parses a row (raising RowInvalid), resolves a chunk's references and
writes it; the importers are accounts/imports.py (accounts, contacts) and
tickets/intake/csv_import.py (tickets). ImportCommand is the management commands'
base.
"""

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

MAX_ERRORS = 500
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TRUE = {"1", "true", "yes", "y", "t", "x"}
FALSE = {"0", "false", "no", "n", "f", ""}


class RowInvalid(Exception):
    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__(problems)
        self.problems = problems


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    committed: bool = False

    def add_error(self, line: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(f"line {line}, column {column}: {message}")

    @property
    def summary(self) -> str:
        state = "imported" if self.committed else "nothing written"
        text = (
            f"{self.kind}: {self.rows} rows read, {self.created} created, {self.updated} "
            f"updated, {self.unchanged} unchanged, {self.invalid} invalid — {state}"
        )
        if self.error_count > len(self.errors):
            text += f" (first {len(self.errors)} of {self.error_count} errors listed)"
        return text


# Field parsers: raise ValueError with the message for the user.


def parse_decimal(value: str) -> Decimal:
    cleaned = value.strip().replace("$", "").replace(",", "").replace(" ", "")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite() or number < 0:
        raise ValueError("must be a number of 0 or more")
    if number >= Decimal("1e12"):
        raise ValueError("is too large")
    return number.quantize(Decimal("0.01"))


def parse_date(value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def parse_bool(value: str) -> bool:
    v = value.strip().lower()
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    raise ValueError(f"{value!r} is not yes/no")


def field_value(problems, column, parser, raw):
    try:
        return parser(raw)
    except ValueError as e:
        problems.append((column, str(e)))
        return None


class Importer:
    kind = ""
    required_columns: tuple[str, ...] = ()

    def __init__(self, report: ImportReport):
        self.report = report
        self.seen: dict[str, int] = {}

    def once(self, key: str, line: int, column: str, problems: list) -> None:
        """Report a key that appeared on an earlier line of the same file."""
        if key in self.seen:
            problems.append((column, f"duplicate of line {self.seen[key]}"))
        else:
            self.seen[key] = line

    def parse(self, row: dict, line: int):
        raise NotImplementedError

    def resolve(self, chunk: list[tuple[int, object]]) -> list[tuple[int, object]]:
        """Look up references for a chunk (a few queries); report rows that fail."""
        return chunk

    def write(self, chunk: list[tuple[int, object]]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        pass

    def reject(self, line: int, problems: list[tuple[str, str]]) -> None:
        self.report.invalid += 1
        for column, message in problems:
            self.report.add_error(line, column, message)


class _Rollback(Exception):
    pass


def run_import(
    importer_class: type[Importer],
    lines: Iterable[str],
    *,
    skip_invalid: bool = False,
    chunk_size: int = 1000,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 10_000,
) -> ImportReport:
    """Import a CSV file (an iterable of text lines, e.g. an open file)."""
    report = ImportReport(kind=importer_class.kind)
    importer = importer_class(report)
    reader = csv.DictReader(lines)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in importer.required_columns if c not in header]
    if missing:
        for column in missing:
            report.add_error(1, column, "missing column")
        return report

    def flush(chunk):
        good = importer.resolve(chunk)
        if skip_invalid or report.error_count == 0:
            importer.write(good)

    try:
        with transaction.atomic():
            chunk = []
            for row in reader:
                report.rows += 1
                line = reader.line_num
                if None in row:
                    row.pop(None)
                    report.add_error(line, "row", "more cells than the header has columns")
                    report.invalid += 1
                    continue
                try:
                    chunk.append((line, importer.parse(row, line)))
                except RowInvalid as e:
                    importer.reject(line, e.problems)
                if len(chunk) >= chunk_size:
                    flush(chunk)
                    chunk = []
                if progress and report.rows % progress_every == 0:
                    progress(report.rows)
            if chunk:
                flush(chunk)
            if report.error_count and not skip_invalid:
                raise _Rollback
            importer.finish()
    except _Rollback:
        report.created = report.updated = report.unchanged = 0
        return report
    except (csv.Error, UnicodeDecodeError) as e:
        report.add_error(reader.line_num, "row", f"unreadable CSV: {e}")
        report.created = report.updated = report.unchanged = 0
        return report
    report.committed = True
    return report


class ImportCommand(BaseCommand):
    """`manage.py import_<kind> FILE`: set `importer` to the Importer class."""

    importer: type[Importer]

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
            report = run_import(
                self.importer,
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
