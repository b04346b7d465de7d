"""Every account's features at each midnight of a period, from one pass over the history.

The backtest scores 100,000 accounts on each of ~370 days. Running the features
statement (vipdesk/insight/features.py) once per day reads the whole ticket table each
time; here the history is read once, as events per account and UTC day, and each
feature is a sum over a window of days that rolls forward a day at a time.

Honest time, exactly as the statement has it: a moment M is a midnight (UTC), and every
window of the statement ends at M and spans whole days (7, 30, 90, 120), so whether a
ticket, message, breach, CSAT, NPS point or usage week counts at M depends only on the
UTC day it happened. Each becomes "counts on the moments [first, last]" (e.g. a ticket
created on day d counts in the 30-day window from the midnight ending day d to the one
30 days later), and a running sum per account adds it when its first moment comes and
takes it out after its last. Sums are whole numbers (sentiment in ten-thousandths, as the
statement sums it), so the averages agree with the statement's to the last bit; a test
replays small histories both ways and compares.

What the risk does not read is left out: open escalations (they weigh on health only),
the phrases themselves (their count decides the churn factor's strength; sentences are
not replayed), tickets in 90 days. Usage is not a sum: each day takes the latest
complete weeks' series from the usage points sorted by week.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import numpy as np
from django.db import connection

from accounts.history import USAGE_WINDOWS_MAX_WEEKS, usage_until
from accounts.models import Account, Contact
from accounts.scoring import FeatureColumns
from tickets.models import Ticket
from vipdesk.insight.features import PRIORITY, SENTIMENT_SCALE

EPOCH_DAY = date(1970, 1, 1)
NEVER = 10**7  # a day index after any moment
FETCH_SIZE = 100_000
# Each account's position in the arrays (accounts by id).
ACCOUNT_INDEX = "SELECT id, row_number() OVER (ORDER BY id) - 1 AS idx FROM accounts_account"


def day_index(moment: datetime) -> int:
    """A midnight (UTC) as days since 1970."""
    moment = moment.astimezone(UTC)
    if moment.time() != datetime.min.time():
        raise ValueError(f"{moment} is not a midnight (UTC)")
    return (moment.date() - EPOCH_DAY).days


class Window:
    """Values that count for an account on the moments [first, last] (day indexes);
    `at(M)` gives every account's sums at moment M (moments must not go back)."""

    def __init__(self, size: int, account, first, last, values):
        kept = first <= last
        account, first, last, values = account[kept], first[kept], last[kept], values[kept]
        start = np.argsort(first, kind="stable")
        stop = np.argsort(last, kind="stable")
        # (day from which the change applies, account, change)
        self._changes = [
            (first[start], account[start], values[start]),
            (last[stop] + 1, account[stop], -values[stop]),
        ]
        self._done = [0, 0]
        self.sums = np.zeros((size, values.shape[1]), dtype=np.int64)

    def at(self, moment: int) -> np.ndarray:
        for n, (days, account, change) in enumerate(self._changes):
            end = int(np.searchsorted(days, moment, side="right"))
            if end > self._done[n]:
                np.add.at(self.sums, account[self._done[n] : end], change[self._done[n] : end])
                self._done[n] = end
        return self.sums


def _fetch(sql: str, params: dict, width: int) -> np.ndarray:
    """A query's rows (whole numbers) as one int64 array, a chunk at a time."""
    chunks = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH_SIZE):
            chunks.append(np.array(rows, dtype=np.int64).reshape(-1, width))
    return np.concatenate(chunks) if chunks else np.zeros((0, width), dtype=np.int64)


def _day(column: str) -> str:
    """The UTC day of a timestamp column as days since 1970 (-1 for NULL)."""
    return f"coalesce(CAST(({column} AT TIME ZONE 'UTC') AS date) - DATE '1970-01-01', -1)"


def _us(column: str) -> str:
    return f"CAST(floor(extract(epoch FROM {column}) * 1000000) AS bigint)"


class History:
    """The history up to `until` (a midnight), read once; `columns(M)` are the features of
    every account at moment M, for M rising a day at a time."""

    def __init__(self, until: datetime):
        if connection.vendor != "postgresql":
            raise NotImplementedError("the rolling replay reads PostgreSQL")
        self.account_ids = np.array(
            Account.objects.order_by("pk").values_list("pk", flat=True), dtype=np.int64
        )
        n = len(self.account_ids)
        renewals = dict(
            Account.objects.exclude(renewal_date=None).values_list("pk", "renewal_date")
        )
        self.renewal_day = np.full(n, np.nan)
        if renewals:
            self.renewal_day[self._index(list(renewals))] = [
                d.toordinal() for d in renewals.values()
            ]
        params = {"until": until}
        self._tickets(params, n)
        self._messages(params, n)
        self._champions(params, n)
        self._nps(params)
        self._usage()

    def _index(self, account_ids) -> np.ndarray:
        return np.searchsorted(self.account_ids, np.asarray(account_ids, dtype=np.int64))

    def _tickets(self, params: dict, n: int) -> None:
        open_to = (
            f"CASE WHEN t.resolved_at IS NOT NULL THEN {_day('t.resolved_at')}"
            f" WHEN t.status IN ({', '.join(repr(str(s)) for s in Ticket.OPEN_STATUSES)})"
            f" THEN {NEVER} ELSE -2 END"
        )
        rows = _fetch(
            f"""
            SELECT a.idx, {_day("t.created_at")},
                CASE WHEN {PRIORITY} IN ('P1', 'P2') THEN 1 ELSE 0 END,
                t.churn_points, CASE WHEN t.churn_points > 0 THEN 1 ELSE 0 END,
                CASE WHEN t.churn_points > 0 THEN (SELECT count(*) FROM
                    jsonb_array_elements(t.churn_signals) s WHERE s->>'kind' = 'direct')
                    ELSE 0 END,
                CASE WHEN t.churn_points > 0 THEN (SELECT count(*) FROM
                    jsonb_array_elements(t.churn_signals) s
                    WHERE s->>'kind' IS DISTINCT FROM 'direct') ELSE 0 END,
                coalesce(CAST(round(t.sentiment * {SENTIMENT_SCALE}) AS bigint), 0),
                CASE WHEN t.sentiment IS NULL THEN 0 ELSE 1 END,
                {open_to},
                {_day("least(t.first_response_breached_at, t.resolution_breached_at)")},
                coalesce(t.csat, 0), CASE WHEN t.csat IS NULL THEN 0 ELSE 1 END,
                {_day("t.resolved_at")}
            FROM tickets_ticket t
            JOIN ({ACCOUNT_INDEX}) a ON a.id = t.account_id
            WHERE t.created_at < %(until)s
            """,  # noqa: S608 - no input in the text
            params,
            14,
        )
        (account, day, severe, points, churned, direct, indirect, sentiment, scored, open_to,
         breach, csat, rated, resolved) = rows.T  # fmt: skip
        one = np.ones_like(day)
        self.week = Window(n, account, day + 1, day + 7, one[:, None])
        self.recent = Window(
            n,
            account,
            day + 1,
            day + 30,
            np.stack([one, severe, points, churned, direct, indirect, sentiment, scored], 1),
        )
        self.before = Window(
            n, account, day + 31, day + 120, np.stack([one, severe, sentiment, scored], 1)
        )
        self.open = Window(n, account, day + 1, open_to, one[:, None])
        breached = breach >= 0
        self.breaches = Window(
            n,
            account[breached],
            np.maximum(day, breach)[breached] + 1,
            day[breached] + 90,
            one[breached, None],
        )
        rated = (rated == 1) & (resolved >= 0)
        self.csat = Window(
            n,
            account[rated],
            np.maximum(day, resolved)[rated] + 1,
            day[rated] + 90,
            np.stack([csat, one], 1)[rated],
        )

    def _messages(self, params: dict, n: int) -> None:
        rows = _fetch(
            f"""
            SELECT a.idx, {_day("m.created_at")}, count(*), sum(length(m.body))
            FROM tickets_ticketmessage m
            JOIN tickets_ticket t ON t.id = m.ticket_id
            JOIN ({ACCOUNT_INDEX}) a ON a.id = t.account_id
            WHERE m.author = 'customer' AND m.created_at < %(until)s
            GROUP BY 1, 2
            """,  # noqa: S608
            params,
            4,
        )
        account, day, count, length = rows.T
        values = np.stack([count, length], 1)
        self.messages_recent = Window(n, account, day + 1, day + 30, values)
        self.messages_before = Window(n, account, day + 31, day + 120, values)

    def _champions(self, params: dict, n: int) -> None:
        """When each account's champions were last in touch, as events in time."""
        champions = Contact.objects.filter(is_champion=True)
        self.champions = np.zeros(n)
        ids, counts = np.unique(
            self._index(list(champions.values_list("account_id", flat=True))), return_counts=True
        )
        self.champions[ids] = counts
        rows = _fetch(
            f"""
            SELECT a.idx, {_day("t.created_at")}, {_us("max(t.created_at)")}
            FROM tickets_ticket t
            JOIN accounts_contact c ON c.id = t.contact_id AND c.is_champion
            JOIN ({ACCOUNT_INDEX}) a ON a.id = c.account_id
            WHERE t.created_at < %(until)s
            GROUP BY 1, 2
            UNION ALL
            SELECT a.idx, {_day("c.last_contacted_at")}, {_us("c.last_contacted_at")}
            FROM accounts_contact c
            JOIN ({ACCOUNT_INDEX}) a ON a.id = c.account_id
            WHERE c.is_champion AND c.last_contacted_at < %(until)s
            """,  # noqa: S608
            params,
            3,
        )
        order = np.argsort(rows[:, 1], kind="stable")
        self._seen = rows[order]
        self._seen_done = 0
        self.last_seen = np.full(n, -np.inf)

    def _nps(self, params: dict) -> None:
        rows = _fetch(
            f"""
            SELECT a.idx, p.date - DATE '1970-01-01', p.score
            FROM accounts_npspoint p
            JOIN ({ACCOUNT_INDEX}) a ON a.id = p.account_id
            WHERE p.date < CAST(%(until)s AS date)
            """,  # noqa: S608
            params,
            3,
        )
        order = np.lexsort((rows[:, 0], rows[:, 1]))  # by day, then account
        self._nps_points = rows[order]
        self._nps_done = 0
        n = len(self.account_ids)
        self.nps, self.previous_nps = np.full(n, np.nan), np.full(n, np.nan)

    def _usage(self) -> None:
        rows = _fetch(
            f"""
            SELECT a.idx, u.week - DATE '1970-01-01', u.active_users
            FROM accounts_usagepoint u
            JOIN ({ACCOUNT_INDEX}) a ON a.id = u.account_id
            """,  # noqa: S608
            {},
            3,
        )
        self._usage_points = rows[np.argsort(rows[:, 1], kind="stable")]

    def _usage_weeks(self, moment: datetime) -> np.ndarray:
        """Each account's latest complete weeks as of the moment (index 0 = the latest),
        as the statement reads them: weeks starting in [until - 12 weeks, until)."""
        until = (usage_until(moment.astimezone(UTC).date()) - EPOCH_DAY).days
        weeks = self._usage_points[:, 1]
        chosen = self._usage_points[
            np.searchsorted(weeks, until - 7 * USAGE_WINDOWS_MAX_WEEKS) : np.searchsorted(
                weeks, until
            )
        ]
        series = np.full((len(self.account_ids), USAGE_WINDOWS_MAX_WEEKS), np.nan)
        series[chosen[:, 0], (until - chosen[:, 1] - 1) // 7] = chosen[:, 2]
        return series

    def _advance_champions(self, moment: int) -> None:
        end = int(np.searchsorted(self._seen[:, 1], moment - 1, side="right"))
        if end > self._seen_done:
            chunk = self._seen[self._seen_done : end]
            np.maximum.at(self.last_seen, chunk[:, 0], chunk[:, 2].astype(float))
            self._seen_done = end

    def _advance_nps(self, moment: int) -> None:
        """Points dated before M's day, latest last: each account's latest and the one
        before it."""
        end = int(np.searchsorted(self._nps_points[:, 1], moment - 1, side="right"))
        if end <= self._nps_done:
            return
        batch = self._nps_points[self._nps_done : end]
        self._nps_done = end
        batch = batch[np.lexsort((batch[:, 1], batch[:, 0]))]  # by account, then day
        account, score = batch[:, 0], batch[:, 2].astype(float)
        last = np.flatnonzero(np.r_[account[1:] != account[:-1], True])
        accounts = account[last]
        has_second = (last > 0) & (account[np.maximum(last - 1, 0)] == accounts)
        previous = np.where(has_second, score[np.maximum(last - 1, 0)], self.nps[accounts])
        self.previous_nps[accounts] = previous
        self.nps[accounts] = score[last]

    def columns(self, moment: datetime) -> FeatureColumns:
        m = day_index(moment)
        self._advance_champions(m)
        self._advance_nps(m)
        week = self.week.at(m)
        recent = self.recent.at(m).astype(float)
        before = self.before.at(m).astype(float)
        messages_recent = self.messages_recent.at(m).astype(float)
        messages_before = self.messages_before.at(m).astype(float)
        csat = self.csat.at(m).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):  # no rows: NaN, as SQL's NULL

            def avg(total, count):
                return np.where(count > 0, total / count, np.nan)

            return FeatureColumns(
                account_id=self.account_ids,
                nps=self.nps.copy(),
                previous_nps=self.previous_nps.copy(),
                usage_weeks=self._usage_weeks(moment),
                renewal_day=self.renewal_day,
                tickets_7d=week[:, 0].astype(float),
                tickets_30d=recent[:, 0],
                tickets_before=before[:, 0],
                severe_recent=recent[:, 1],
                severe_before=before[:, 1],
                churn_points_30d=recent[:, 2],
                churn_tickets_30d=recent[:, 3],
                direct_count=recent[:, 4],
                indirect_count=recent[:, 5],
                message_length_recent=avg(messages_recent[:, 1], messages_recent[:, 0]),
                messages_recent=messages_recent[:, 0],
                message_length_before=avg(messages_before[:, 1], messages_before[:, 0]),
                messages_before=messages_before[:, 0],
                sentiment_recent=avg(recent[:, 6], recent[:, 7]) / SENTIMENT_SCALE,
                sentiment_count_recent=recent[:, 7],
                sentiment_before=avg(before[:, 2], before[:, 3]) / SENTIMENT_SCALE,
                sentiment_count_before=before[:, 3],
                open_tickets=self.open.at(m)[:, 0].astype(float),
                breaches_90d=self.breaches.at(m)[:, 0].astype(float),
                csat_90d=avg(csat[:, 0], csat[:, 1]),
                champions=self.champions,
                champion_last_seen=np.where(
                    (self.champions > 0) & np.isfinite(self.last_seen), self.last_seen, np.nan
                ),
                escalation_load=np.zeros(len(self.account_ids)),
            )


def rolling_columns(moments: list[datetime]) -> Iterator[tuple[datetime, FeatureColumns]]:
    """(moment, every account's features) for consecutive midnights, one history read."""
    if not moments:
        return
    for earlier, later in zip(moments, moments[1:], strict=False):
        if later - earlier != timedelta(days=1):
            raise ValueError("the rolling replay moves a day at a time")
    history = History(moments[-1])
    for moment in moments:
        yield moment, history.columns(moment)
