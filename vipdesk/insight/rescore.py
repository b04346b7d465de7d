"""Set-based rescoring: features for all (or some) accounts in one SQL statement,
scored a chunk of accounts at a time over numpy columns (accounts/scoring.py), then one
write-back transaction.

PostgreSQL: the features go into a TEMP table (as float8 columns), are read back in
keyset chunks straight into numpy (flat memory), scored set-wise, and
COPYed into a second TEMP table; one transaction then updates the accounts whose score
changed with one `UPDATE … FROM`, upserts today's new or changed ScoreSnapshots with
one `INSERT … ON CONFLICT`, raises threshold alerts and marks the run finished. A
worker killed before that commit leaves every account as it was; the session's
advisory lock dies with it, so the next run knows the "running" row is dead.

SQLite (embedded demo): the same features statement, chunked bulk_update.

An account scoring fails on keeps its previous scores and gets the reason in
Account.scoring_error (admin, /healthz); the others are scored as usual (a chunk that
fails is scored again one account at a time to find it).
"""

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.alert_budget import CrossedAccount, within_budget
from accounts.models import Account, ScoreSnapshot, ScoreWeights, ScoringRun
from accounts.risk_alerts import leads_and_admins, threshold_crossings
from accounts.scoring import FeatureColumns, scores
from vipdesk.alerts.raising import raise_alerts
from vipdesk.insight.asof import columns_as_of
from vipdesk.insight.features import chunks_of, create_features_table
from vipdesk.insight.risk_bands import band_workflows
from vipdesk.lib.locks import advisory_lock

logger = logging.getLogger(__name__)

CHUNK_SIZE = 5000
SNAPSHOT_DAYS = 400
# A "running" run whose heartbeat is older than this is dead (used where no advisory
# lock tells us, i.e. SQLite); the full-rescore job timeout.
STALE_AFTER = timedelta(seconds=300)
RESCORE_LOCK = "vipdesk.rescore.full"  # advisory lock: one full rescore at a time


class RescoreBusy(Exception):
    """Another full rescore is running; the job is retried later."""


@dataclass
class RescoreResult:
    accounts: int
    alerts: int
    seconds: float
    run_id: int | None = None


Progress = Callable[[int, int], None]


def _is_pg() -> bool:
    return connection.vendor == "postgresql"


def full_rescore_in_progress(now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if _is_pg():
        with advisory_lock(RESCORE_LOCK) as acquired:
            return not acquired
    return ScoringRun.objects.filter(
        status=ScoringRun.Status.RUNNING, heartbeat_at__gte=now - STALE_AFTER
    ).exists()


def _abandon_dead_runs(now: datetime, all_running: bool) -> int:
    dead = ScoringRun.objects.filter(status=ScoringRun.Status.RUNNING)
    if not all_running:
        dead = dead.filter(heartbeat_at__lt=now - STALE_AFTER)
    return dead.update(
        status=ScoringRun.Status.ABANDONED,
        finished_at=now,
        error="The worker stopped before finishing; no account was changed by this run.",
    )


def rescore_all(
    now: datetime | None = None,
    *,
    chunk_size: int = CHUNK_SIZE,
    pause_between_chunks: float = 0.0,
    progress: Progress | None = None,
) -> RescoreResult:
    """Rescore every account, tracked by a ScoringRun. `pause_between_chunks` is a test
    hook (makes the run slow enough to kill it in the middle)."""
    now = now or timezone.now()
    started = time.monotonic()
    with advisory_lock(RESCORE_LOCK) as locked:
        if not locked:
            raise RescoreBusy("another full rescore holds the lock")
        if _is_pg():
            # We hold the lock, so no live process is running a full rescore.
            _abandon_dead_runs(now, all_running=True)
        else:
            _abandon_dead_runs(now, all_running=False)
            if ScoringRun.objects.filter(status=ScoringRun.Status.RUNNING).exists():
                raise RescoreBusy("another full rescore is running")
        run = ScoringRun.objects.create(started_at=timezone.now(), heartbeat_at=timezone.now())

        def beat(done: int, total: int) -> None:
            ScoringRun.objects.filter(pk=run.pk).update(
                accounts_done=done, accounts_total=total, heartbeat_at=timezone.now()
            )
            if progress:
                progress(done, total)
            if pause_between_chunks:
                time.sleep(pause_between_chunks)

        def finish(alerts: int) -> None:
            ScoringRun.objects.filter(pk=run.pk).update(
                status=ScoringRun.Status.FINISHED,
                finished_at=timezone.now(),
                heartbeat_at=timezone.now(),
                alerts_raised=alerts,
            )

        try:
            accounts, alerts = _rescore(
                None, now, chunk_size=chunk_size, on_chunk=beat, before_commit=finish
            )
        except Exception as error:
            ScoringRun.objects.filter(pk=run.pk).update(
                status=ScoringRun.Status.FAILED, finished_at=timezone.now(), error=repr(error)
            )
            raise
    return RescoreResult(accounts, alerts, time.monotonic() - started, run.pk)


def rescore_accounts(account_ids: list[int], now: datetime | None = None) -> RescoreResult:
    """Rescore some accounts (events: new ticket, escalation change, NPS/usage update)
    through the same code path as the full rescore, restricted to their ids."""
    now = now or timezone.now()
    started = time.monotonic()
    ids = sorted({int(i) for i in account_ids})
    if not ids:
        return RescoreResult(0, 0, 0.0)
    accounts, alerts = _rescore(ids, now, chunk_size=CHUNK_SIZE)
    return RescoreResult(accounts, alerts, time.monotonic() - started)


def _rescore(ids, now, *, chunk_size, on_chunk=None, before_commit=None) -> tuple[int, int]:
    weights = ScoreWeights.load()
    if _is_pg():
        return _rescore_pg(ids, now, weights, chunk_size, on_chunk, before_commit)
    return _rescore_portable(ids, now, weights, chunk_size, on_chunk, before_commit)


def _score_columns(columns: FeatureColumns, weights, now, failures: dict[int, str]):
    """The accounts' scores; when the chunk fails, one account at a time, leaving out
    (with the reason in `failures`) the accounts scoring fails on."""
    try:
        return scores(columns, weights, now)
    except Exception:  # noqa: BLE001 - narrowed down below
        logger.warning("scoring a chunk of %s accounts failed: one at a time", len(columns))
    out = []
    for i, account_id in enumerate(columns.account_id.tolist()):
        try:
            out.extend(scores(columns.take([i]), weights, now))
        except Exception as error:  # noqa: BLE001 - recorded on the account
            logger.error("scoring account %s failed: %s", account_id, error)
            failures[account_id] = f"{type(error).__name__}: {error}"[:1000]
    return out


def _record_failures(failures: dict[int, str], scored: list[int] | None) -> None:
    """Write this run's failures; clear old ones of the accounts it scored (all
    accounts it did not fail on when `scored` is None)."""
    for account_id, reason in failures.items():
        Account.objects.filter(pk=account_id).update(scoring_error=reason)
    cleared = Account.objects.exclude(scoring_error="").exclude(pk__in=failures)
    if scored is not None:
        cleared = cleared.filter(pk__in=scored)
    cleared.update(scoring_error="")


def _factors_text(factors: list[dict]) -> str:
    """Factors as a COPY text field: JSON holds no raw tab or newline, and its
    backslashes are doubled (COPY's escape character)."""
    return json.dumps(factors, ensure_ascii=False).replace("\\", "\\\\") if factors else "[]"


def _copy_text(columns, weights, now, failures: dict[int, str]) -> str:
    """The accounts' scores as COPY text, one line an account: one write a chunk."""
    return "".join(
        f"{s.account_id}\t{s.health}\t{s.risk}\t{s.level}\t{_factors_text(s.factors)}"
        f"\t{s.alert_level}\n"
        for s in _score_columns(columns, weights, now, failures)
    )


def _rescore_pg(ids, now, weights, chunk_size, on_chunk, before_commit) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS scoring_features, scoring_results")
        try:
            return _score_and_write_pg(
                cursor, ids, now, weights, chunk_size, on_chunk, before_commit
            )
        finally:
            try:
                cursor.execute("DROP TABLE IF EXISTS scoring_features, scoring_results")
            except DatabaseError:  # the transaction is aborted: the temp tables go with it
                logger.debug("could not drop the scoring temp tables", exc_info=True)


def _score_and_write_pg(
    cursor, ids, now, weights, chunk_size, on_chunk, before_commit
) -> tuple[int, int]:
    timings_start = time.monotonic()
    total = create_features_table(cursor, "scoring_features", now, ids)
    cursor.execute(
        "CREATE TEMP TABLE scoring_results (account_id bigint PRIMARY KEY, health smallint,"
        " risk smallint, level varchar(10), factors jsonb, alert_level smallint)"
    )
    done = 0
    failures: dict[int, str] = {}
    timings = {"start": timings_start, "features": time.monotonic()}
    if on_chunk:
        on_chunk(0, total)
    for columns in chunks_of(cursor, "scoring_features", chunk_size):
        scored = _copy_text(columns, weights, now, failures)
        with cursor.cursor.copy(
            "COPY scoring_results (account_id, health, risk, level, factors, alert_level)"
            " FROM STDIN"
        ) as copy:
            copy.write(scored)
        done += len(columns)
        if on_chunk:
            on_chunk(done, total)
    timings["scoring"] = time.monotonic()
    with transaction.atomic():
        alerts = _write_back_pg(cursor, now, weights, full=ids is None)
        _record_failures(failures, ids)
        if before_commit:
            before_commit(alerts)
    timings["write-back"] = time.monotonic()
    logger.info(
        "rescored %s accounts: features until %.2f s, scoring %.2f s, write-back %.2f s",
        done,
        timings["features"] - timings.pop("start"),
        timings["scoring"] - timings["features"],
        timings["write-back"] - timings["scoring"],
    )
    return done - len(failures), alerts


def raise_all_crossing_alerts(crossings, weights, now) -> int:
    """Threshold alerts and risk-band workflows for the same crossings, raised together
    within each lead's and admin's alert budget (one bulk insert, one delivery job)."""
    if not crossings:
        return 0
    accounts = Account.objects.in_bulk([account_id for account_id, _, _ in crossings])
    leads, admins = leads_and_admins()
    wanted = threshold_crossings(crossings, accounts, weights, leads, admins, now)
    wanted += band_workflows(crossings, accounts, weights, leads, admins, now)
    facts = {
        account_id: CrossedAccount(
            name=account.name,
            risk=risk,
            arr=account.arr,
            own_people=frozenset({account.csm_id, account.account_manager_id} - {None}),
        )
        for account_id, _, risk in crossings
        if (account := accounts.get(account_id)) is not None
    }
    specs = within_budget(wanted, facts, weights.alerts_per_person_per_run, now)
    return len(raise_alerts(specs, now=now))


def _write_back_pg(cursor, now, weights, full: bool) -> int:
    cursor.execute(
        "SELECT a.id, a.risk_alerted_threshold, r.risk FROM accounts_account a"
        " JOIN scoring_results r ON r.account_id = a.id"
        " WHERE r.alert_level > a.risk_alerted_threshold ORDER BY a.id FOR UPDATE OF a"
    )
    crossings = cursor.fetchall()
    # Only rows whose score changed are rewritten (every rewrite costs a new row version
    # and an entry in each of the table's indexes); scored_at is when the current score
    # was computed, and the last finished ScoringRun says when all scores were checked.
    cursor.execute(
        "UPDATE accounts_account a SET health_score = r.health, risk_score = r.risk,"
        " risk_level = r.level, risk_factors = r.factors,"
        " risk_alerted_threshold = r.alert_level, scored_at = %s"
        " FROM scoring_results r WHERE a.id = r.account_id AND (a.scored_at IS NULL"
        " OR (a.health_score, a.risk_score, a.risk_level, a.risk_factors,"
        " a.risk_alerted_threshold) IS DISTINCT FROM"
        " (r.health, r.risk, r.level, r.factors, r.alert_level))",
        [now],
    )
    # Only new or changed snapshots reach the INSERT: ON CONFLICT locks (writes) every
    # row it meets, even one its WHERE then leaves as it is.
    cursor.execute(
        "INSERT INTO accounts_scoresnapshot"
        " (account_id, day, health_score, risk_score, risk_level, risk_factors)"
        " SELECT r.account_id, %(day)s, r.health, r.risk, r.level, r.factors"
        " FROM scoring_results r JOIN accounts_account a ON a.id = r.account_id"
        " LEFT JOIN accounts_scoresnapshot s ON s.account_id = r.account_id AND s.day = %(day)s"
        " WHERE (s.health_score, s.risk_score, s.risk_level, s.risk_factors)"
        " IS DISTINCT FROM (r.health, r.risk, r.level, r.factors)"
        " ON CONFLICT (account_id, day) DO UPDATE SET health_score = EXCLUDED.health_score,"
        " risk_score = EXCLUDED.risk_score, risk_level = EXCLUDED.risk_level,"
        " risk_factors = EXCLUDED.risk_factors"
        " WHERE (accounts_scoresnapshot.health_score, accounts_scoresnapshot.risk_score,"
        " accounts_scoresnapshot.risk_level, accounts_scoresnapshot.risk_factors)"
        " IS DISTINCT FROM (EXCLUDED.health_score, EXCLUDED.risk_score, EXCLUDED.risk_level,"
        " EXCLUDED.risk_factors)",
        {"day": timezone.localdate(now)},
    )
    if full:
        cursor.execute(
            "DELETE FROM accounts_scoresnapshot WHERE day < %s",
            [timezone.localdate(now) - timedelta(days=SNAPSHOT_DAYS)],
        )
    return raise_all_crossing_alerts(crossings, weights, now)


def _rescore_portable(ids, now, weights, chunk_size, on_chunk, before_commit) -> tuple[int, int]:
    """SQLite: the same features statement; writes with chunked bulk_update (demo sizes)."""
    scored = []
    failures: dict[int, str] = {}
    for columns in columns_as_of(now, ids):
        scored.extend(_score_columns(columns, weights, now, failures))
    total = len(scored) + len(failures)
    if on_chunk:
        on_chunk(0, total)
    day = timezone.localdate(now)
    alerts = 0
    with transaction.atomic():
        fields = [
            "health_score",
            "risk_score",
            "risk_level",
            "risk_factors",
            "risk_alerted_threshold",
            "scored_at",
        ]
        current = {
            row[0]: row[1:]
            for row in Account.objects.select_for_update()
            .filter(pk__in=[s.account_id for s in scored])
            .values_list("pk", *fields)
        }
        crossings = []
        for start in range(0, len(scored), chunk_size):
            accounts, snapshots = [], []
            for s in scored[start : start + chunk_size]:
                old = current.get(s.account_id)
                if old is None:
                    continue
                previously = old[4]
                if s.alert_level > previously:
                    crossings.append((s.account_id, previously, s.risk))
                new = (s.health, s.risk, s.level, s.factors, s.alert_level)
                if old[5] is None or tuple(old[:5]) != new:
                    accounts.append(
                        Account(
                            pk=s.account_id,
                            health_score=s.health,
                            risk_score=s.risk,
                            risk_level=s.level,
                            risk_factors=s.factors,
                            risk_alerted_threshold=s.alert_level,
                            scored_at=now,
                        )
                    )
                snapshots.append(
                    ScoreSnapshot(
                        account_id=s.account_id,
                        day=day,
                        health_score=s.health,
                        risk_score=s.risk,
                        risk_level=s.level,
                        risk_factors=s.factors,
                    )
                )
            Account.objects.bulk_update(accounts, fields, batch_size=500)
            ScoreSnapshot.objects.bulk_create(
                snapshots,
                batch_size=500,
                update_conflicts=True,
                unique_fields=["account", "day"],
                update_fields=["health_score", "risk_score", "risk_level", "risk_factors"],
            )
            if on_chunk:
                on_chunk(min(start + chunk_size, len(scored)), total)
        if ids is None:
            ScoreSnapshot.objects.filter(day__lt=day - timedelta(days=SNAPSHOT_DAYS)).delete()
        alerts = raise_all_crossing_alerts(crossings, weights, now)
        _record_failures(failures, ids)
        if before_commit:
            before_commit(alerts)
    return total - len(failures), alerts
