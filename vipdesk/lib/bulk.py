"""Write many rows fast: PostgreSQL COPY, or executemany INSERT elsewhere (SQLite).

Rows are plain tuples of the fields named when the writer is made, in attname form
(`account_id`, not `account`). Every other concrete column gets the field's default,
so a field added to a model later does not break bulk loading. Ids are chosen by the
caller; call reset_sequences() afterwards."""

import json
import queue
import threading
from collections.abc import Callable, Iterable

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
            # A nullable JSON field's None is SQL NULL, not the JSON text "null".
            json.dumps(v)
            if isinstance(f, models.JSONField) and self.postgres and v is not None
            else v
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


def update_rows(model: type[models.Model], objs: list, fields: list[str]) -> int:
    """Write these fields of these saved objects in one UPDATE … FROM (VALUES …) on
    PostgreSQL: linear in the rows, where QuerySet.bulk_update's CASE per field is
    quadratic and slow to build. Elsewhere (SQLite), bulk_update."""
    if not objs:
        return 0
    if connection.vendor != "postgresql":
        return model.objects.bulk_update(objs, fields)
    meta = model._meta
    targets = [meta.pk, *(meta.get_field(name) for name in fields)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in targets)
    row = "(" + ", ".join(f"%s::{f.cast_db_type(connection)}" for f in targets) + ")"
    params = [
        f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in objs for f in targets
    ]
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in targets[1:])
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "  # noqa: S608
        f"FROM (VALUES {', '.join([row] * len(objs))}) AS v ({columns}) "
        f"WHERE t.{quote(meta.pk.column)} = v.{quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


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


class BackgroundLoad:
    """Write batches on a second thread while the caller builds the next one, so Python
    and PostgreSQL work on two cores at once. At most two batches wait, so memory stays
    bounded.

    The whole load is one transaction on the thread's own connection: foreign keys are
    checked row by row (no queue of deferred checks), and for large loads (`rebuild`) the
    tables' non-unique indexes are dropped first and rebuilt at the end, which is much
    cheaper than maintaining them row by row (PostgreSQL manual, "Populating a Database").
    A failure rolls all of it back, indexes included.

    Inside an outer transaction (tests) the thread could not see uncommitted rows, and on
    SQLite there is nothing to gain: batches are then written inline."""

    def __init__(self, models: list[type[models.Model]], rebuild_indexes: bool = False):
        self.models = models
        self.rebuild_indexes = rebuild_indexes
        self.threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
        self.queue: queue.Queue = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.failed = False
        self.thread = threading.Thread(target=self._run, name="bulk-load", daemon=True)

    def __enter__(self) -> "BackgroundLoad":
        if self.threaded:
            self.thread.start()
        return self

    def submit(self, func: Callable, *args) -> None:
        if not self.threaded:
            with transaction.atomic():
                func(*args)
            return
        while True:
            if self.error is not None:
                raise self.error
            try:
                self.queue.put((func, args), timeout=0.5)
                return
            except queue.Full:
                continue

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self.threaded:
            return
        self.failed = exc_type is not None
        while self.thread.is_alive():
            try:
                self.queue.put(None, timeout=0.5)
                break
            except queue.Full:
                continue
        self.thread.join()
        if self.error is not None and exc_type is None:
            raise self.error

    def _run(self) -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                dropped = drop_secondary_indexes(self.models) if self.rebuild_indexes else []
                while (item := self.queue.get()) is not None:
                    func, args = item
                    func(*args)
                if self.failed:
                    raise RuntimeError("bulk load abandoned: the producer failed")
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
                    for statement in dropped:
                        cursor.execute(statement)
        except BaseException as error:  # handed to the producer thread
            self.error = error
            while True:  # unblock a producer waiting to put
                try:
                    self.queue.get_nowait()
                except queue.Empty:
                    break
        finally:
            connection.close()  # this thread's connection


def drop_secondary_indexes(model_list: list[type[models.Model]]) -> list[str]:
    """Drop the non-unique indexes that back no constraint; return their CREATE statements."""
    statements = []
    with connection.cursor() as cursor:
        for model in model_list:
            cursor.execute(
                """
                SELECT i.relname, pg_get_indexdef(i.oid)
                FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
                ORDER BY i.relname
                """,
                [model._meta.db_table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                statements.append(definition)
    return statements
