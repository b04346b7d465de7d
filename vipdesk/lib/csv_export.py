"""CSV downloads: streamed row by row, and safe to open in a spreadsheet.

A text cell starting with =, +, -, @, a tab or a carriage return would be read as a
formula by Excel, LibreOffice or Google Sheets (OWASP "CSV injection"); such a cell is
prefixed with an apostrophe, which spreadsheets show as text. NUL characters are dropped.
Numbers are written as numbers (a negative number stays -3, never '-3)."""

import csv
import io
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
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        return "yes" if value else "no"
    elif isinstance(value, int | float | Decimal):
        return value
    elif isinstance(value, datetime | date):
        return value.isoformat()
    else:
        text = str(value)
    if "\0" in text:
        text = text.replace("\0", "")
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


ROWS_PER_CHUNK = 500


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence]
) -> StreamingHttpResponse:
    """A streamed text/csv attachment: the header, then the rows as `rows` yields them,
    sent ROWS_PER_CHUNK lines at a time (pass a generator or .iterator() to keep memory
    flat; a chunk per line would cost more in the response machinery than the line)."""

    def chunks():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([safe_cell(h) for h in header])
        for i, row in enumerate(rows, 1):
            writer.writerow([safe_cell(v) for v in row])
            if i % ROWS_PER_CHUNK == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
