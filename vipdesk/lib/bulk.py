"""Write many rows fast: PostgreSQL COPY, or executemany INSERT elsewhere (SQLite).

Rows are plain tuples of the fields named when the writer is made, in attname form
(`account_id`, not `account`). Every other concrete column gets the field's default,
so a field added to a model later does not break bulk loading. Ids are chosen by the
caller; call reset_sequences() afterwards."""

import json
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone


class BulkWriter:
    def __init__(self, model: type[models.Model], fields: list[str]):
        self.model = model
        self.table = model._meta.db_table
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        self.fields = [by_attname[name] for name in fields]
        now = timezone.now()
        self.extra_fields = []
        self.extra_values = []
        for field in model._meta.concrete_fields:
            if field.attname in fields or field.primary_key:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            else:
                value = field.get_default()  # "" for text fields, None when nullable
            if value is None and not field.null:
                raise ValueError(f"{self.table}.{field.column} needs a value: it has no default")
            self.extra_fields.append(field)
            self.extra_values.append(value)
        self.columns = [f.column for f in self.fields + self.extra_fields]
        self.postgres = connection.vendor == "postgresql"
        json_fields = [isinstance(f, models.JSONField) for f in self.fields]
        self.json_positions = [i for i, is_json in enumerate(json_fields) if is_json]
        extra = [
            json.dumps(v) if isinstance(f, models.JSONField) and self.postgres else v
            for f, v in zip(self.extra_fields, self.extra_values, strict=True)
        ]
        self.extra_tuple = tuple(extra)

    def write(self, rows: Iterable[tuple]) -> int:
        if self.postgres:
            return self._copy(rows)
        return self._insert(rows)

    def _copy(self, rows: Iterable[tuple]) -> int:
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        sql = f"COPY {connection.ops.quote_name(self.table)} ({quoted}) FROM STDIN"
        extra, json_positions, count = self.extra_tuple, self.json_positions, 0
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                if json_positions:
                    row = list(row)
                    for i in json_positions:
                        row[i] = json.dumps(row[i])
                copy.write_row((*row, *extra))
                count += 1
        return count

    def _insert(self, rows: Iterable[tuple]) -> int:
        fields = self.fields + self.extra_fields
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        placeholders = ", ".join(["%s"] * len(fields))
        table = connection.ops.quote_name(self.table)
        sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"  # noqa: S608
        prepared = [
            [
                f.get_db_prep_save(v, connection)
                for f, v in zip(fields, (*row, *self.extra_values), strict=True)
            ]
            for row in rows
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, prepared)
        return len(prepared)


def next_id(model: type[models.Model]) -> int:
    """The first free id after the highest in the table (not the sequence), so that a
    fresh database always gets the same ids."""
    last = model.objects.aggregate(last=models.Max("pk"))["last"]
    return (last or 0) + 1


def reset_sequences(model_list: list[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def analyze(model_list: list[type[models.Model]]) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in model_list:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


class BackgroundBatches:
    """Write batches on a second thread, each in its own transaction, while the caller
    builds the next one: Python and PostgreSQL then work on two cores at once. At most
    one batch waits, so memory stays bounded.

    The thread has its own database connection, so it cannot see uncommitted rows: inside
    an outer transaction (tests) batches are written inline instead."""

    def __init__(self):
        self.threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
        self.executor = ThreadPoolExecutor(max_workers=1) if self.threaded else None
        self.pending = None

    def submit(self, func: Callable, *args) -> None:
        if not self.threaded:
            _in_transaction(func, *args)
            return
        self.wait()
        self.pending = self.executor.submit(_in_transaction, func, *args)

    def wait(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.result()  # re-raises the thread's exception

    def close(self) -> None:
        try:
            self.wait()
        finally:
            if self.executor is not None:
                self.executor.submit(_close_connection).result()
                self.executor.shutdown()
                self.executor = None

    def __enter__(self) -> "BackgroundBatches":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _close_connection() -> None:
    connection.close()  # the calling thread's connection


def _in_transaction(func: Callable, *args) -> None:
    with transaction.atomic():
        func(*args)
