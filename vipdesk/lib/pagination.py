"""Paging long lists without a COUNT (the VIP queue, the unmatched queue, escalations)."""

from dataclasses import dataclass

from django.db.models import QuerySet

PAGE_SIZE = 50
MAX_PAGE = 200


@dataclass
class Page:
    rows: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def paginate(qs: QuerySet, number: int | None) -> Page:
    """LIMIT/OFFSET without a COUNT: fetch one row more than a page to know if there
    is a next one. Pages stop at MAX_PAGE so the queue can't be walked unbounded."""
    number = number or 1
    start = (number - 1) * PAGE_SIZE
    rows = list(qs[start : start + PAGE_SIZE + 1])
    return Page(rows=rows[:PAGE_SIZE], number=number, has_next=len(rows) > PAGE_SIZE)
