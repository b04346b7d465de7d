"""Scores as of a moment, for every account at once, writing nothing.

The same features statement and scoring rules as the rescore, read-only: the
backtest replays a period day by day with it, and tests check that nothing known
only later changes a past day's score.
"""

from collections.abc import Iterator
from datetime import datetime

from django.db import connection

from accounts.scoring import AccountFeatures, AccountScore, score
from vipdesk.insight.features import (
    big_aggregate,
    feature_params,
    feature_sql,
    row_to_features,
    sqlite_row_to_features,
)

FETCH_SIZE = 5000


def features_as_of(now: datetime, ids: list[int] | None = None) -> Iterator[AccountFeatures]:
    """Every account's features as they stood at `now` (one statement)."""
    vendor = connection.vendor
    convert = row_to_features if vendor == "postgresql" else sqlite_row_to_features
    with connection.cursor() as cursor, big_aggregate(cursor):
        cursor.execute(
            feature_sql(vendor, restricted=ids is not None), feature_params(vendor, now, ids)
        )
        while rows := cursor.fetchmany(FETCH_SIZE):
            for row in rows:
                yield convert(row)


def scores_as_of(now: datetime, weights, ids: list[int] | None = None) -> dict[int, AccountScore]:
    """account id -> its score and factors as of `now` under `weights` (saved or a draft)."""
    return {f.account_id: score(f, weights, now) for f in features_as_of(now, ids)}
