"""Write many rows fast: PostgreSQL COPY, or executemany INSERT elsewhere (SQLite).

Rows are plain tuples of the fields named when the writer is made, in attname form
(`account_id`, not `account`). Every other concrete column gets the field's default,
so a field added to a model later does not break bulk loading. Ids are chosen by the
caller; call reset_sequences() afterwards."""

import io
import json
import multiprocessing
import multiprocessing.util
import os
import pickle
import queue
import resource
import threading
from collections.abc import Callable, Iterable

import django
import psycopg
from django.core.management.color import no_style
from django.db import connection, connections, models, transaction
from django.utils import timezone
from psycopg.copy import FileWriter


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
        with connection.cursor() as cursor, cursor.copy(self._copy_sql()) as copy:
            return self._write_rows(copy, rows)

    def _copy_sql(self) -> str:
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        return f"COPY {connection.ops.quote_name(self.table)} ({quoted}) FROM STDIN"

    def _write_rows(self, copy: psycopg.Copy, rows: Iterable[tuple]) -> int:
        extra, json_positions, count = self.extra_tuple, self.json_positions, 0
        for row in rows:
            if json_positions:
                row = list(row)
                for i in json_positions:
                    # None is SQL NULL, as Django stores it (a JSON null needs Value()).
                    row[i] = None if row[i] is None else json.dumps(row[i])
            copy.write_row((*row, *extra))
            count += 1
        return count

    def copy_data(self, rows: Iterable[tuple]) -> bytes:
        """The rows in COPY's text format, for write_copy_data (PostgreSQL only): another
        process can format rows while this one writes."""
        buffer = io.BytesIO()
        with (
            connection.cursor() as cursor,
            psycopg.Copy(cursor.cursor, writer=FileWriter(buffer)) as copy,
        ):
            self._write_rows(copy, rows)
        return buffer.getvalue()

    def write_copy_data(self, data: bytes) -> None:
        with connection.cursor() as cursor, cursor.copy(self._copy_sql()) as copy:
            copy.write(data)

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


def insert_objects(model: type[models.Model], objs: list) -> None:
    """Insert these new objects in one COPY on PostgreSQL, leaving them as bulk_create
    would (every object with its id, auto_now fields stamped, saved state): bulk_create
    prepares and quotes every value of every row in Python, about 1 ms per ticket of an
    intake batch here, where COPY formats the rows in C. Ids left None are drawn from
    the table's sequence in one query. Elsewhere (SQLite), bulk_create."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs)
        return
    meta = model._meta
    missing = [obj for obj in objs if obj.pk is None]
    if missing:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(missing)],
            )
            for obj, (pk,) in zip(missing, cursor.fetchall(), strict=True):
                obj.pk = pk
    stamped = [f for f in meta.concrete_fields if getattr(f, "auto_now", False)]
    stamped += [f for f in meta.concrete_fields if getattr(f, "auto_now_add", False)]
    attnames = [f.attname for f in meta.concrete_fields]
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="insert_objects")
        for f in stamped:
            f.pre_save(obj, add=True)
    rows = (tuple(getattr(obj, a) for a in attnames) for obj in objs)
    with connection.wrap_database_errors:  # IntegrityError etc., as from a query
        BulkWriter(model, attnames).write(rows)
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias


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
    tables' non-unique indexes and foreign keys are dropped first and put back at the end,
    which is much cheaper than maintaining and checking them row by row (PostgreSQL manual,
    "Populating a Database"): putting a foreign key back checks all rows in one join.
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
                dropped = []
                if self.rebuild_indexes:
                    dropped = drop_secondary_indexes(self.models) + drop_foreign_keys(self.models)
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


def drop_foreign_keys(model_list: list[type[models.Model]]) -> list[str]:
    """Drop the tables' foreign keys; return the statements that add them back."""
    statements = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in model_list:
            table = model._meta.db_table
            cursor.execute(
                """
                SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname
                """,
                [table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
                statements.append(
                    f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
                )
    return statements


def load_chunks(
    build: Callable[[int], tuple[list[list[tuple]], object]],
    chunks: int,
    writers: list[BulkWriter],
    on_chunk: Callable[[object], None],
    *,
    rebuild: bool = False,
    workers: int = 1,
) -> int:
    """Write chunks 0 … chunks-1 in order, in one BackgroundLoad: `build(i)` returns chunk
    i's rows for each writer and a result that `on_chunk` gets, in chunk order.

    With `workers` > 1 on PostgreSQL outside a transaction, `workers` - 1 worker
    processes build chunks and format their rows for COPY while this process passes
    every chunk on to the writing and builds half a worker's share itself (one chunk
    in 2 × (`workers` - 1) + 1): passing chunks on costs it about as much as building
    the other half, so no process waits on another and generating rows in Python uses
    every core. `build` must depend on `i` alone (its randomness too), so
    the rows do not depend on the number of workers, and must pickle: each worker gets
    a copy. Workers are started fresh (spawn), not forked, so they hold only Django and
    that copy. Returns the sum of the workers' peak memory (RSS, KiB)."""
    models = list(dict.fromkeys(w.model for w in writers))
    parallel = workers > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block
    with BackgroundLoad(models, rebuild) as load:
        if not parallel:
            for i in range(chunks):
                rows, result = build(i)
                load.submit(_write_all, writers, rows)
                on_chunk(result)
            return 0
        job = pickle.dumps((build, writers), protocol=pickle.HIGHEST_PROTOCOL)
        peaks: dict[int, int] = {}
        start = (job, connection.settings_dict["NAME"])
        period = 2 * (workers - 1) + 1  # this process builds chunk i when i % period == 0
        with multiprocessing.get_context("spawn").Pool(workers - 1, _start_worker, start) as pool:
            # The workers' chunks, a round ahead: at most `period` chunks' rows wait here.
            ahead = {
                i: pool.apply_async(_build_chunk, (i,))
                for i in range(min(chunks, period + 1))
                if i % period
            }
            for i in range(chunks):
                if i % period:
                    data, result, pid, peak = ahead.pop(i).get()
                    peaks[pid] = max(peaks.get(pid, 0), peak)
                else:
                    data, result = _build_copy_data(build, writers, i)
                load.submit(_write_all_copy_data, writers, data)
                on_chunk(result)
                following = i + period + 1
                if following < chunks and following % period:
                    ahead[following] = pool.apply_async(_build_chunk, (following,))
            pool.close()
            pool.join()
        return sum(peaks.values())


_chunk_job: tuple | None = None  # (build, writers) of load_chunks, in a worker process


def _start_worker(job: bytes, database: str) -> None:
    global _chunk_job
    django.setup()  # before unpickling: the writers name models and fields
    # COPY's formatting needs a connection: to the same database (tests use another).
    connection.settings_dict["NAME"] = database
    _chunk_job = pickle.loads(job)  # noqa: S301 — written by the parent process
    # Close the worker's connection (for COPY's formatting) when it exits (Pool.close).
    multiprocessing.util.Finalize(None, connections.close_all, exitpriority=1)


def _build_chunk(i: int) -> tuple:
    build, writers = _chunk_job
    data, result = _build_copy_data(build, writers, i)
    return data, result, os.getpid(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _build_copy_data(build, writers: list[BulkWriter], i: int) -> tuple[list[bytes], object]:
    rows, result = build(i)
    return [w.copy_data(chunk) for w, chunk in zip(writers, rows, strict=True)], result


def _write_all(writers: list[BulkWriter], rows: list[list[tuple]]) -> None:
    for writer, chunk in zip(writers, rows, strict=True):
        writer.write(chunk)


def _write_all_copy_data(writers: list[BulkWriter], data: list[bytes]) -> None:
    for writer, chunk in zip(writers, data, strict=True):
        writer.write_copy_data(chunk)
