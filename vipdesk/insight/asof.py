"""Scores as of a moment, for every account at once, writing nothing.

The same features statement and scoring rules as the rescore, read-only: tests check
that nothing known only later changes a past day's score, and the backtest's rolling
replay (vipdesk/insight/rolling.py) is checked against it day by day.
"""

from collections.abc import Iterator
from contextlib import suppress
from datetime import datetime

from django.db import DatabaseError, connection

from accounts.scoring import AccountFeatures, AccountScore, FeatureColumns, scores
from vipdesk.insight.features import (
    big_aggregate,
    chunks_of,
    create_features_table,
    feature_params,
    feature_sql,
    row_to_features,
    sqlite_row_to_features,
)

FETCH_SIZE = 5000


def _rows_as_of(now: datetime, ids: list[int] | None) -> Iterator[list]:
    vendor = connection.vendor
    sql = feature_sql(vendor, restricted=ids is not None)
    with connection.cursor() as cursor, big_aggregate(cursor):
        cursor.execute(sql, feature_params(vendor, now, ids))
        while rows := cursor.fetchmany(FETCH_SIZE):
            yield rows


def features_as_of(now: datetime, ids: list[int] | None = None) -> Iterator[AccountFeatures]:
    """Every account's features as they stood at `now` (one statement)."""
    convert = row_to_features if connection.vendor == "postgresql" else sqlite_row_to_features
    for rows in _rows_as_of(now, ids):
        yield from (convert(row) for row in rows)


def columns_as_of(now: datetime, ids: list[int] | None = None) -> Iterator[FeatureColumns]:
    """The same, a chunk of accounts at a time as FeatureColumns."""
    if connection.vendor != "postgresql":
        for rows in _rows_as_of(now, ids):
            yield FeatureColumns.of([sqlite_row_to_features(row) for row in rows])
        return
    with connection.cursor() as cursor:
        create_features_table(cursor, "features_as_of", now, ids)
        try:
            yield from chunks_of(cursor, "features_as_of", FETCH_SIZE)
        finally:
            # (in an aborted transaction the temp table goes with it)
            with suppress(DatabaseError):
                cursor.execute("DROP TABLE IF EXISTS features_as_of")


def scores_as_of(now: datetime, weights, ids: list[int] | None = None) -> dict[int, AccountScore]:
    """account id -> its score and factors as of `now` under `weights` (saved or a draft)."""
    return {
        s.account_id: s
        for columns in columns_as_of(now, ids)
        for s in scores(columns, weights, now)
    }
