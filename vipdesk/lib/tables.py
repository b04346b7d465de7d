"""Report tables as plain data: one Table feeds both the page (templates/_table.html)
and its CSV download (vipdesk/lib/csv_export.py), so the two always hold the same
numbers. Builders round their figures once, here in the data, never in the template."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.http import Http404, StreamingHttpResponse

from vipdesk.lib.csv_export import csv_response


@dataclass
class Table:
    name: str  # a slug: the CSV is <page>/<name>.csv
    title: str
    header: Sequence[str]
    rows: list[Sequence] = field(default_factory=list)
    links: list[str | None] = field(default_factory=list)  # per row, for the first cell
    note: str = ""

    def linked_rows(self) -> list[tuple[str | None, Sequence]]:
        links = self.links or [None] * len(self.rows)
        return list(zip(links, self.rows, strict=True))

    def csv(self, prefix: str) -> StreamingHttpResponse:
        return csv_response(f"{prefix}-{self.name}.csv", self.header, self.rows)


def pick(tables: list[Table], name: str) -> Table:
    """The table called `name`, else 404 (for the CSV views)."""
    for table in tables:
        if table.name == name:
            return table
    raise Http404("No such table")


def rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def percent(share: float | None, digits: int = 1) -> float | None:
    """A share 0–1 as a percentage."""
    return None if share is None else round(100 * share, digits)
