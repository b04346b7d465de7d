"""Per-account features for scoring, for every account at once: one SQL statement of
FILTER aggregates over rolling windows (tickets, customer messages, churn phrases,
open escalations, champions), never a query per account. It reads narrow ticket
columns: customer messages come summed up on each ticket (routing keeps
Ticket.customer_messages… up to date), and only a ticket whose messages straddle a
window's edge has them counted one by one. On PostgreSQL the ticket aggregate, the
bulk of the work, reads every column it needs from ticket_account_time_idx and runs
in parallel workers: it holds no array and no correlated subquery, which would keep
it in one process.

`feature_sql(vendor, restricted)` returns the statement for PostgreSQL or SQLite (the
embedded demo); `row_to_features(row)` turns one result row into AccountFeatures.
Windows end at `now`: 7 and 30 days ("recent"), and the 90 days before the last 30
("before").

Honest time: the statement sees the account as it stood at `now`, so scoring a past
moment (the backtest) never looks ahead: only tickets, messages and churn phrases
created before `now`; tickets open at `now` (resolved later or never), breaches that
had happened, CSAT of tickets resolved by then; escalations open at `now`; champion
contacts before `now` (tickets they wrote; Contact.last_contacted_at only when it is
before `now`, as it keeps one time); NPS and usage from the dated history
(accounts/history.py).
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields as dataclass_fields
from datetime import UTC, date, datetime, timedelta

import numpy as np
from django.utils.dateparse import parse_date, parse_datetime

from accounts.history import USAGE_WINDOWS_MAX_WEEKS, usage_until
from accounts.scoring import (
    SEVERITY_WEIGHT,
    AccountFeatures,
    FeatureColumns,
    escalation_load,
)
from escalations.models import Escalation
from tickets.models import Ticket

OPEN_TICKET = ", ".join(f"'{s}'" for s in Ticket.OPEN_STATUSES)
# A ticket created before now was still open at now (its status then, not today's).
OPEN_AT_NOW = (
    f"(t.resolved_at >= %(now)s OR (t.resolved_at IS NULL AND t.status IN ({OPEN_TICKET})))"
)
CLOSED_ESCALATION = ", ".join(f"'{s}'" for s in Escalation.CLOSED_STATUSES)

# Row layout: the AccountFeatures fields in order, then open escalations (by severity)
# and the weekly active users of each week (0 = the latest complete week) that
# usage_weeks is built from.
ESCALATION_COLUMNS = ["esc_critical", "esc_high", "esc_medium", "esc_low"]
USAGE_WEEK_COLUMNS = [f"usage_w{k}" for k in range(USAGE_WINDOWS_MAX_WEEKS)]
COLUMNS = [
    *(f.name for f in dataclass_fields(AccountFeatures) if f.name != "open_escalations"),
    *ESCALATION_COLUMNS,
    *USAGE_WEEK_COLUMNS,
]

PRIORITY = "COALESCE(NULLIF(t.effective_priority, ''), t.customer_priority)"
# Sentiment is stored with 4 decimals (tickets/routing/churn.py); averaged as a sum of
# whole ten-thousandths, so the replay's rolling sums (vipdesk/insight/rolling.py) agree
# with this statement to the last bit.
SENTIMENT_SCALE = 10000


def sentiment_avg(where: str) -> str:
    return (
        f"CAST(sum(round(t.sentiment * {SENTIMENT_SCALE})) FILTER (WHERE {where})"
        f" AS double precision) / NULLIF(count(t.sentiment) FILTER (WHERE {where}), 0)"
        f" / {SENTIMENT_SCALE}"
    )


STRADDLES = " OR ".join(
    f"(t.first_customer_message_at < %({edge})s AND t.last_customer_message_at >= %({edge})s)"
    for edge in ("d120", "d30", "now")
)  # the ticket's customer messages fall on both sides of one of the windows' edges
_WINDOWS = {"recent": ("d30", "now"), "before": ("d120", "d30")}


def whole_ticket_messages(since: str, until: str, total: str) -> str:
    """A ticket's customer messages created in [since, until) (parameter names) when
    none straddles an edge: the ticket's own sum (Ticket.customer_messages…) when all
    of them fall inside, else none. The straddling tickets (few) have them counted one
    by one (`sm` in the statement)."""
    first, last = "t.first_customer_message_at", "t.last_customer_message_at"
    return (
        f"CASE WHEN t.customer_messages = 0 OR {STRADDLES} THEN 0"
        f" WHEN {first} >= %({since})s AND {last} < %({until})s THEN {total} ELSE 0 END"
    )


_WHOLE_TICKET_SUMS = ",\n".join(
    f"        sum({whole_ticket_messages(since, until, total)}) AS {what}_{window}"
    for window, (since, until) in _WINDOWS.items()
    for what, total in (("messages", "t.customer_messages"), ("chars", "t.customer_message_chars"))
)
_MESSAGES_IN_WINDOW = (
    "(SELECT {aggregate} FROM tickets_ticketmessage m WHERE m.ticket_id = t.id"
    " AND m.author = 'customer' AND m.created_at >= %({since})s AND m.created_at < %({until})s)"
)
_STRADDLING_SUMS = ",\n".join(
    f"        sum({_MESSAGES_IN_WINDOW.format(aggregate=aggregate, since=since, until=until)})"
    f" AS {what}_{window}"
    for window, (since, until) in _WINDOWS.items()
    for what, aggregate in (("messages", "count(*)"), ("chars", "sum(length(m.body))"))
)


_SQL = """
WITH t AS (
    SELECT t.account_id,
        count(*) FILTER (WHERE t.created_at >= %(d7)s) AS tickets_7d,
        count(*) FILTER (WHERE t.created_at >= %(d30)s) AS tickets_30d,
        count(*) FILTER (WHERE t.created_at >= %(d120)s AND t.created_at < %(d30)s)
            AS tickets_before,
        count(*) FILTER (WHERE t.created_at >= %(d90)s) AS tickets_90d,
        count(*) FILTER (WHERE t.created_at >= %(d30)s AND {priority} IN ('P1', 'P2'))
            AS severe_recent,
        count(*) FILTER (WHERE t.created_at >= %(d120)s AND t.created_at < %(d30)s
            AND {priority} IN ('P1', 'P2')) AS severe_before,
        coalesce(sum(t.churn_points) FILTER (WHERE t.created_at >= %(d30)s), 0)
            AS churn_points_30d,
        count(*) FILTER (WHERE t.created_at >= %(d30)s AND t.churn_points > 0)
            AS churn_tickets_30d,
        {sentiment_recent} AS sentiment_recent,
        count(t.sentiment) FILTER (WHERE t.created_at >= %(d30)s) AS sentiment_count_recent,
        {sentiment_before} AS sentiment_before,
        count(t.sentiment) FILTER (WHERE t.created_at >= %(d120)s AND t.created_at < %(d30)s)
            AS sentiment_count_before,
        count(*) FILTER (WHERE {open_at_now}) AS open_tickets,
        count(*) FILTER (WHERE t.created_at >= %(d90)s AND (t.first_response_breached_at
            < %(now)s OR t.resolution_breached_at < %(now)s)) AS breaches_90d,
        avg(CAST(t.csat AS double precision)) FILTER (WHERE t.created_at >= %(d90)s
            AND t.resolved_at < %(now)s) AS csat_90d,
        count(*) FILTER (WHERE t.customer_messages > 0 AND ({straddles})) AS straddling,
{whole_ticket_sums}
    FROM tickets_ticket t
    WHERE t.account_id IS NOT NULL AND t.created_at < %(now)s
        AND (t.created_at >= %(d120)s OR {open_at_now}
            OR t.last_customer_message_at >= %(d120)s) {only_t}
    GROUP BY t.account_id
),
sm AS (
    -- the customer messages of tickets whose messages straddle a window's edge, counted
    -- one by one (few tickets, of the accounts the ticket aggregate found them in):
    -- correlated subqueries would keep the ticket aggregate from running in parallel.
    SELECT t.account_id,
{straddling_sums}
    FROM tickets_ticket t
    WHERE t.account_id IN (SELECT account_id FROM t WHERE straddling > 0)
        AND t.customer_messages > 0 AND ({straddles}) AND t.created_at < %(now)s
    GROUP BY t.account_id
),
ph AS (
    -- the distinct churn phrases of the last 30 days' tickets (few: a separate pass,
    -- so that the ticket aggregate above has no array to collect)
    SELECT t.account_id, {direct_phrases} AS direct_phrases,
        {indirect_phrases} AS indirect_phrases
    FROM tickets_ticket t {signals}
    WHERE t.account_id IS NOT NULL AND t.created_at >= %(d30)s AND t.created_at < %(now)s
        AND t.churn_points > 0 {only_t}
    GROUP BY t.account_id
),
e AS (
    -- escalations open at now: account status for health, never a risk factor
    SELECT e.account_id,
        count(*) FILTER (WHERE e.severity = 'critical') AS esc_critical,
        count(*) FILTER (WHERE e.severity = 'high') AS esc_high,
        count(*) FILTER (WHERE e.severity = 'medium') AS esc_medium,
        count(*) FILTER (WHERE e.severity = 'low') AS esc_low
    FROM escalations_escalation e
    WHERE e.opened_at < %(now)s AND (e.closed_at >= %(now)s
        OR (e.closed_at IS NULL AND e.status NOT IN ({closed_escalation}))) {only_e}
    GROUP BY e.account_id
),
c AS (
    SELECT c.account_id, count(*) AS champions,
        max({greatest}) AS champion_last_seen
    FROM (
        -- each champion's latest ticket before now: one step down ticket_contact_time_idx
        SELECT c.account_id, c.last_contacted_at, (
            SELECT max(t.created_at) FROM tickets_ticket t
            WHERE t.contact_id = c.id AND t.created_at < %(now)s
        ) AS last_ticket
        FROM accounts_contact c
        WHERE c.is_champion {only_c}
    ) c
    GROUP BY c.account_id
),
np AS (
    -- the latest NPS result known at now, and the one before it
    SELECT account_id,
        max(score) FILTER (WHERE rn = 1) AS nps,
        max(score) FILTER (WHERE rn = 2) AS previous_nps
    FROM (
        SELECT account_id, score,
            row_number() OVER (PARTITION BY account_id ORDER BY date DESC) AS rn
        FROM accounts_npspoint
        WHERE date < %(today)s {only_np}
    ) ranked
    WHERE rn <= 2
    GROUP BY account_id
),
u AS (
    -- weekly active users of the latest complete weeks (the usage windows read them)
    SELECT account_id, {usage_weeks}
    FROM accounts_usagepoint
    WHERE week >= %(week_{weeks})s AND week < %(week_0)s {only_np}
    GROUP BY account_id
)
SELECT {select}
FROM accounts_account a
LEFT JOIN t ON t.account_id = a.id
LEFT JOIN sm ON sm.account_id = a.id
LEFT JOIN ph ON ph.account_id = a.id
LEFT JOIN e ON e.account_id = a.id
LEFT JOIN c ON c.account_id = a.id
LEFT JOIN np ON np.account_id = a.id
LEFT JOIN u ON u.account_id = a.id
{only_a}
"""

_SELECT = {
    "account_id": "a.id",
    "nps": "np.nps",
    "previous_nps": "np.previous_nps",
    "usage_weeks": "NULL",  # from the usage week columns
    "renewal_date": "a.renewal_date",
    **{
        c: f"coalesce(t.{c}, 0)"
        for c in [
            "tickets_7d",
            "tickets_30d",
            "tickets_before",
            "tickets_90d",
            "severe_recent",
            "severe_before",
            "churn_points_30d",
            "churn_tickets_30d",
            "sentiment_count_recent",
            "sentiment_count_before",
            "open_tickets",
            "breaches_90d",
        ]
    },
    "sentiment_recent": "t.sentiment_recent",
    "sentiment_before": "t.sentiment_before",
    "csat_90d": "t.csat_90d",
    "direct_phrases": "ph.direct_phrases",
    "indirect_phrases": "ph.indirect_phrases",
    **{
        name: expression
        for window in _WINDOWS
        for name, expression in {
            f"message_length_{window}": f"CAST(coalesce(t.chars_{window}, 0)"
            f" + coalesce(sm.chars_{window}, 0) AS double precision) / NULLIF(coalesce("
            f"t.messages_{window}, 0) + coalesce(sm.messages_{window}, 0), 0)",
            f"messages_{window}": f"coalesce(t.messages_{window}, 0)"
            f" + coalesce(sm.messages_{window}, 0)",
        }.items()
    },
    **{c: f"coalesce(e.{c}, 0)" for c in ESCALATION_COLUMNS},
    **{c: f"u.{c}" for c in USAGE_WEEK_COLUMNS},
    "champions": "coalesce(c.champions, 0)",
    "champion_last_seen": "c.champion_last_seen",
}
assert set(_SELECT) == set(COLUMNS)

# Churn phrases (`ph`): each signal of the last 30 days' churn tickets as a row, the
# distinct phrases of each kind per account; a churn ticket without signals adds none.
_DIALECT = {
    "postgresql": {
        "signals": "LEFT JOIN LATERAL jsonb_array_elements(t.churn_signals) sig ON true",
        # an array (maybe empty) for an account with churn tickets, as for the counts
        "phrases": "coalesce(array_agg(DISTINCT sig->>'phrase') FILTER (WHERE {kind}), '{{}}')",
        "direct": "sig->>'kind' = 'direct'",
        "indirect": "sig IS NOT NULL AND sig->>'kind' IS DISTINCT FROM 'direct'",
        "greatest": "GREATEST(CASE WHEN c.last_contacted_at < %(now)s"
        " THEN c.last_contacted_at END, c.last_ticket)",
        "only": "{col} = ANY(%(ids)s)",
    },
    "sqlite": {
        "signals": "LEFT JOIN json_each(t.churn_signals) sig",
        "phrases": "group_concat(DISTINCT json_extract(sig.value, '$.phrase'))"
        " FILTER (WHERE {kind})",
        "direct": "json_extract(sig.value, '$.kind') = 'direct'",
        "indirect": "sig.value IS NOT NULL"
        " AND coalesce(json_extract(sig.value, '$.kind'), '') != 'direct'",
        "greatest": "CASE WHEN c.last_contacted_at < %(now)s AND (c.last_ticket IS NULL"
        " OR c.last_contacted_at > c.last_ticket) THEN c.last_contacted_at"
        " ELSE c.last_ticket END",
        "only": "{col} IN (SELECT value FROM json_each(%(ids)s))",
    },
}


def feature_sql(vendor: str, restricted: bool = False) -> str:
    """The features statement; `restricted` adds a filter on the account ids (%(ids)s)."""
    d = _DIALECT["postgresql" if vendor == "postgresql" else "sqlite"]

    def only(col: str, prefix: str = "AND") -> str:
        return f"{prefix} {d['only'].format(col=col)}" if restricted else ""

    return _SQL.format(
        priority=PRIORITY,
        open_at_now=OPEN_AT_NOW,
        closed_escalation=CLOSED_ESCALATION,
        signals=d["signals"],
        direct_phrases=d["phrases"].format(kind=d["direct"]),
        indirect_phrases=d["phrases"].format(kind=d["indirect"]),
        usage_weeks=", ".join(
            f"max(active_users) FILTER (WHERE week >= %(week_{k + 1})s AND week < %(week_{k})s)"
            f" AS {name}"
            for k, name in enumerate(USAGE_WEEK_COLUMNS)
        ),
        greatest=d["greatest"],
        sentiment_recent=sentiment_avg("t.created_at >= %(d30)s"),
        sentiment_before=sentiment_avg("t.created_at >= %(d120)s AND t.created_at < %(d30)s"),
        whole_ticket_sums=_WHOLE_TICKET_SUMS,
        straddling_sums=_STRADDLING_SUMS,
        straddles=STRADDLES,
        weeks=USAGE_WINDOWS_MAX_WEEKS,
        only_t=only("t.account_id"),
        only_e=only("e.account_id"),
        only_c=only("c.account_id"),
        only_np=only("account_id"),
        only_a=only("a.id", "WHERE"),
        select=",\n    ".join(f"{_SELECT[name]} AS {name}" for name in COLUMNS),
    )


@contextmanager
def big_aggregate(cursor):
    """Session settings for the features statement on PostgreSQL: JIT compilation
    costs more than it saves (0.5 s a run), and enough memory keeps the aggregates over
    100,000 accounts in memory instead of batches on disk (the planner reckons 8 kB a
    group for an array_agg; hashing may use 8 × work_mem, reckoned, not taken)."""
    if cursor.db.vendor != "postgresql":
        yield
        return
    settings = {"jit": "off", "work_mem": "'256MB'", "hash_mem_multiplier": "8"}
    for name, value in settings.items():
        cursor.execute(f"SET {name} = {value}")
    try:
        yield
    finally:
        for name in settings:
            cursor.execute(f"RESET {name}")


def feature_params(vendor: str, now: datetime, ids: list[int] | None = None) -> dict:
    def moment(days: int):
        value = (now - timedelta(days=days)).astimezone(UTC)
        if vendor == "postgresql":
            return value
        return value.replace(tzinfo=None).isoformat(" ")  # how Django stores it in SQLite

    today = now.astimezone(UTC).date()
    params = {
        "now": moment(0),
        "d7": moment(7),
        "d30": moment(30),
        "d90": moment(90),
        "d120": moment(120),
        "today": today if vendor == "postgresql" else today.isoformat(),
    }
    # Weekly usage: week k (k weeks ago, 0 = the latest complete week) starts on
    # week_{k+1} and ends before week_k.
    until = usage_until(today)
    for k in range(USAGE_WINDOWS_MAX_WEEKS + 1):
        day = until - timedelta(weeks=k)
        params[f"week_{k}"] = day if vendor == "postgresql" else day.isoformat()
    if ids is not None:
        params["ids"] = list(ids) if vendor == "postgresql" else json.dumps(list(ids))
    return params


def _date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return parse_date(str(value)[:10])


def _datetime(value) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = parse_datetime(str(value))
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _phrases(value) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, str):  # SQLite group_concat
        value = value.split(",")
    return tuple(sorted(p for p in value if p))


def _float(value) -> float | None:
    return None if value is None else float(value)


_USAGE = COLUMNS.index("usage_weeks")
_DIRECT = COLUMNS.index("direct_phrases")
_INDIRECT = COLUMNS.index("indirect_phrases")
_RENEWAL = COLUMNS.index("renewal_date")
_LAST_SEEN = COLUMNS.index("champion_last_seen")
_FLOATS = [
    COLUMNS.index(c)
    for c in (
        "message_length_recent",
        "message_length_before",
        "sentiment_recent",
        "sentiment_before",
        "csat_90d",
    )
]
_SEVERITIES = ("critical", "high", "medium", "low")
_ESCALATIONS = len(COLUMNS) - len(USAGE_WEEK_COLUMNS) - len(ESCALATION_COLUMNS)
_WEEKS = len(COLUMNS) - len(USAGE_WEEK_COLUMNS)


def row_to_features(row) -> AccountFeatures:
    """A result row (PostgreSQL types) as AccountFeatures; positional, as this runs for
    every account."""
    values = list(row[:_ESCALATIONS])
    critical, high, medium, low = row[_ESCALATIONS:_WEEKS]
    weeks = tuple(row[_WEEKS:])
    values[_USAGE] = weeks if any(n is not None for n in weeks) else ()
    values[_DIRECT] = tuple(values[_DIRECT] or ())
    values[_INDIRECT] = tuple(values[_INDIRECT] or ())
    escalations = {}
    if critical or high or medium or low:
        escalations = {
            s: n for s, n in zip(_SEVERITIES, (critical, high, medium, low), strict=True) if n
        }
    return AccountFeatures(*values, escalations)


def sqlite_row_to_features(row) -> AccountFeatures:
    """The same from SQLite, whose rows hold text dates and comma-joined phrases."""
    row = list(row)
    row[_RENEWAL] = _date(row[_RENEWAL])
    row[_LAST_SEEN] = _datetime(row[_LAST_SEEN])
    row[_DIRECT] = _phrases(row[_DIRECT])
    row[_INDIRECT] = _phrases(row[_INDIRECT])
    for i in _FLOATS:
        row[i] = _float(row[i])
    return row_to_features(row)


_NUMBERS = [
    "nps", "previous_nps", "tickets_7d", "tickets_30d", "tickets_before", "severe_recent",
    "severe_before", "churn_points_30d", "churn_tickets_30d", "message_length_recent",
    "messages_recent", "message_length_before", "messages_before", "sentiment_recent",
    "sentiment_count_recent", "sentiment_before", "sentiment_count_before", "open_tickets",
    "breaches_90d", "csat_90d", "champions",
]  # fmt: skip


# PostgreSQL hands the features to numpy as float8 values, NaN for NULL, that numpy
# reads in place, instead of a Python object per value (fetching rows cost more than
# scoring them). The features table holds them so, computed once: dates and moments as
# numbers (a day ordinal, microseconds since 1970: see FeatureColumns), the weekly usage
# as one column per week (weeks ago 0, 1, …), the churn phrases counted; the phrases
# themselves (for the sentences) stay beside them as arrays.
_AS_NUMBERS = {
    "renewal_day": "renewal_date - DATE '0001-01-01' + 1",
    "champion_last_seen": "floor(extract(epoch FROM champion_last_seen) * 1000000)",
    "direct_count": "cardinality(direct_phrases)",
    "indirect_count": "cardinality(indirect_phrases)",
    "esc_critical": "esc_critical", "esc_high": "esc_high",
    "esc_medium": "esc_medium", "esc_low": "esc_low",
    **{name: name for name in _NUMBERS},
}  # fmt: skip
_AS_NUMBERS.update({name: name for name in USAGE_WEEK_COLUMNS})
_NUMBERS_TABLE = "SELECT account_id, {numbers}, direct_phrases, indirect_phrases FROM ({sql}) f"
_NUMBERS_COLUMNS = ", ".join(
    f"coalesce(CAST({value} AS double precision), 'NaN') AS {name}"
    for name, value in _AS_NUMBERS.items()
)
# A chunk of accounts comes as one bytea, every account's float8 values one after the
# other (big-endian): one value to fetch instead of a row (and a Python object per
# value) for every account.
_READ = ["account_id", *_AS_NUMBERS]
_CHUNK_BYTES = " || ".join(
    ["float8send(CAST(account_id AS double precision))"]
    + [f"float8send({name})" for name in _AS_NUMBERS]
)


def create_features_table(cursor, table: str, now: datetime, ids: list[int] | None) -> int:
    """PostgreSQL: every account's (or `ids`') features as of `now` into a TEMP table
    keyed by account id, for `chunks_of`; returns how many accounts."""
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    with big_aggregate(cursor):
        sql = feature_sql("postgresql", restricted=ids is not None)
        params = feature_params("postgresql", now, ids)
        sql = _NUMBERS_TABLE.format(numbers=_NUMBERS_COLUMNS, sql=sql)
        cursor.execute(f"CREATE TEMP TABLE {table} AS {sql}", params)
        total = cursor.rowcount
    cursor.execute(f"ALTER TABLE {table} ADD PRIMARY KEY (account_id)")
    # Read by id ranges: the planner must know how the ids spread (else it sorts the
    # whole table for every chunk); the other columns need no statistics.
    cursor.execute(f"ANALYZE {table} (account_id)")
    return total


def chunks_of(cursor, table: str, size: int) -> Iterator[FeatureColumns]:
    """A features table's accounts, `size` at a time in id order, as FeatureColumns."""
    last = 0
    while len(columns := _columns_from(cursor, table, last, size)):
        yield columns
        last = int(columns.account_id[-1])


def _columns_from(cursor, table: str, after: int, limit: int) -> FeatureColumns:
    """The next `limit` accounts of a features table (by id, after `after`) as
    FeatureColumns; none when they are all read."""
    cursor.execute(
        f"SELECT string_agg({_CHUNK_BYTES}, '' ORDER BY account_id) FROM (SELECT * FROM"  # noqa: S608
        f" {table} WHERE account_id > %s ORDER BY account_id LIMIT %s) chunk",
        [after, limit],
    )
    data = cursor.fetchone()[0] or b""
    columns = np.frombuffer(data, ">f8").reshape(-1, len(_READ)).T.astype(float, order="C")
    records = dict(zip(_READ, columns, strict=True))
    count = columns.shape[1]
    account_id = records["account_id"].astype(np.int64)
    direct, indirect = [()] * count, [()] * count
    if count:
        cursor.execute(
            f"SELECT account_id, direct_phrases, indirect_phrases FROM {table}"  # noqa: S608
            " WHERE account_id BETWEEN %s AND %s AND (cardinality(direct_phrases) > 0"
            " OR cardinality(indirect_phrases) > 0)",
            [int(account_id[0]), int(account_id[-1])],
        )
        position = dict(zip(account_id.tolist(), range(count), strict=True))
        for account, direct_phrases, indirect_phrases in cursor.fetchall():
            direct[position[account]] = tuple(direct_phrases or ())
            indirect[position[account]] = tuple(indirect_phrases or ())

    severities = {s: records[f"esc_{s}"] for s in SEVERITY_WEIGHT}
    return FeatureColumns(
        account_id=account_id,
        **{name: records[name] for name in _NUMBERS},
        usage_weeks=np.stack([records[c] for c in USAGE_WEEK_COLUMNS], 1),
        renewal_day=records["renewal_day"],
        direct_count=records["direct_count"],
        indirect_count=records["indirect_count"],
        champion_last_seen=records["champion_last_seen"],
        escalation_load=np.asarray(escalation_load(severities), dtype=float),
        direct_phrases=direct,
        indirect_phrases=indirect,
    )
