"""Importing CSV files (CRM exports): the machinery every importer shares.

- The file is UTF-8 (a BOM is skipped); one whose first 8 KB show another encoding
  (UTF-16, Latin-1) is refused with a message saying so, as are duplicate column
  names, NUL characters and cells longer than the csv module's field limit.
- Every row is validated; problems read "line N, column X: message" (line 1 is
  the header).
- All or nothing: the whole file is one transaction, rolled back if any row is
  invalid — unless skip_invalid, which writes the valid rows and reports the rest.
- Streaming: a csv reader over the file, upserts chunk by chunk (a few queries per
  chunk), a progress callback every `progress_every` rows; memory stays flat
  apart from the set of keys seen (to report duplicate rows).

An Importer parses a row (raising RowInvalid), resolves a chunk's references and
writes it. The importers: accounts/imports.py (accounts, contacts, NPS and usage
history) and tickets/intake/csv_import.py (tickets, and IMPORTERS for the admin's
upload page). ImportCommand is the import_<kind> management commands' base.
"""

import codecs
import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from vipdesk.lib.bulk import analyze

MAX_ERRORS = 500
SNIFF_BYTES = 8192
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
    # The tables write() loads: analyzed once the import committed (this PostgreSQL may
    # run without autovacuum; fresh rows unanalyzed make for bad plans).
    loads: tuple = ()
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


class Unreadable(ValueError):
    """The file cannot be read as a UTF-8 CSV; str(error) says why."""


def utf8_text(source: BinaryIO):
    """The file as UTF-8 text lines (a BOM skipped), or Unreadable when its first
    SNIFF_BYTES show another encoding; later undecodable bytes are reported by the
    import. `source` must be seekable (an open file, an upload)."""
    head = source.read(SNIFF_BYTES)
    source.seek(0)
    if (
        head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        or head.count(b"\x00") > len(head) // 4
    ):
        raise Unreadable("The file is UTF-16: save it as \u201cCSV UTF-8\u201d.")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as e:
        raise Unreadable(
            f"The file is not UTF-8 (byte {e.start + 1} is not valid UTF-8; Latin-1 or "
            "Windows-1252?): save it as \u201cCSV UTF-8\u201d."
        ) from None
    return io.TextIOWrapper(source, encoding="utf-8-sig", newline="")


def run_import(
    importer_class: type[Importer],
    source: BinaryIO,
    *,
    skip_invalid: bool = False,
    chunk_size: int = 1000,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 10_000,
) -> ImportReport:
    """Import a CSV file given as a binary file object (see utf8_text)."""
    report = ImportReport(kind=importer_class.kind)
    importer = importer_class(report)
    try:
        reader = csv.DictReader(utf8_text(source))
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except Unreadable as e:
        report.add_error(1, "file", str(e))
        return report
    except (csv.Error, UnicodeDecodeError) as e:
        report.add_error(1, "header", f"unreadable CSV: {e}")
        return report
    reader.fieldnames = header
    for column in sorted({c for c in header if c and header.count(c) > 1}):
        report.add_error(1, column, "appears more than once in the header")
    for column in [c for c in importer.required_columns if c not in header]:
        report.add_error(1, column, "missing column")
    if report.error_count:
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
                nul = [k for k, v in row.items() if v and "\x00" in v]
                if nul:
                    importer.reject(line, [(k, "contains a NUL character") for k in nul])
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
    if report.created or report.updated:
        analyze(importer.loads)
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
            handle = open(options["csv"], "rb")  # noqa: SIM115
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
