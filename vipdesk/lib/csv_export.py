"""CSV downloads: streamed row by row, and safe to open in a spreadsheet.

A text cell starting with =, +, -, @, a tab or a carriage return would be read as a
formula by Excel, LibreOffice or Google Sheets (OWASP "CSV injection"); such a cell is
prefixed with an apostrophe, which spreadsheets show as text. NUL characters are dropped.
Numbers are written as numbers (a negative number stays -3, never '-3)."""

import csv
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str | int | float | Decimal:
    """One cell as csv.writer should write it: numbers as they are, dates in ISO 8601,
    None as an empty cell, any other value as neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value).replace("\0", "")
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write() returns what it was given (csv.writer's output
    becomes the response's chunks; nothing is buffered)."""

    def write(self, value: str) -> str:
        return value


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence]
) -> StreamingHttpResponse:
    """A streamed text/csv attachment: the header, then one line per row as `rows` yields
    them (pass a generator or .iterator() to keep memory flat)."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow([safe_cell(h) for h in header])
        for row in rows:
            yield writer.writerow([safe_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
