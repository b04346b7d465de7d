"""The one advisory-lock helper: a PostgreSQL session-level lock on a name, tried,
never waited for. On other databases (the embedded SQLite demo runs its jobs inline,
in one process) it is always granted.

    with advisory_lock("vipdesk.routing.drain") as acquired:
        if acquired:
            ...
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def advisory_lock(name: str) -> Iterator[bool]:
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [name])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [name])
