"""Scoring jobs (RQ). Thin: the work is in accounts/rescore.py.

- `rescore_all()`: the full rescore (hourly through `rescore_if_due`, or
  `manage.py score_accounts`).
- `enqueue_rescore(account_ids)`: for other modules, after an event that changes an
  account's risk (a routed ticket, an escalation change, an NPS or usage update).
  Debounced: one job per set of accounts and minute (deterministic job id).
"""

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.utils import timezone
from rq import Retry

from accounts import rescore
from accounts.models import ScoreWeights, ScoringRun
from vipdesk.lib.jobs import enqueue_on_commit, run_or_enqueue

RESCORE_ALL_TIMEOUT = 1800


def rescore_all(
    now: datetime | None = None, *, chunk_size: int = rescore.CHUNK_SIZE, pause: float = 0.0
) -> int | None:
    """Job: rescore every account. Returns the ScoringRun id."""
    return rescore.rescore_all(now, chunk_size=chunk_size, pause_between_chunks=pause).run_id


def rescore_accounts(account_ids: list[int], now: datetime | None = None) -> int:
    """Job: rescore these accounts only."""
    return rescore.rescore_accounts(account_ids, now).accounts


def enqueue_rescore(account_ids: Iterable[int], now: datetime | None = None) -> None:
    """Rescore these accounts after the current transaction commits (debounced: one job
    per set of accounts and minute)."""
    ids = sorted({int(i) for i in account_ids if i is not None})
    if not ids:
        return
    now = now or timezone.now()
    digest = hashlib.sha1(",".join(map(str, ids)).encode(), usedforsecurity=False).hexdigest()
    enqueue_on_commit(
        rescore_accounts,
        ids,
        job_id=f"rescore-accounts-{now:%Y%m%d%H%M}-{digest[:16]}",
        queue="default",
    )


def last_finished_run() -> ScoringRun | None:
    return (
        ScoringRun.objects.filter(status=ScoringRun.Status.FINISHED)
        .order_by("-finished_at")
        .first()
    )


def rescore_is_due(now: datetime, interval_minutes: int) -> bool:
    last = last_finished_run()
    return last is None or last.started_at <= now - timedelta(minutes=interval_minutes)


def rescore_if_due(now: datetime | None = None) -> bool:
    """Every minute (cron): start a full rescore when the last finished run is older than
    ScoreWeights.rescore_interval_minutes (admin-editable) and none is running."""
    now = now or timezone.now()
    interval = ScoreWeights.load().rescore_interval_minutes
    if not rescore_is_due(now, interval) or rescore.full_rescore_in_progress(now):
        return False
    run_or_enqueue(
        rescore_all,
        job_id=f"rescore-all-{now:%Y%m%d%H%M}",
        queue="default",
        retry=Retry(max=3, interval=[30, 120, 600]),
        timeout=RESCORE_ALL_TIMEOUT,
    )
    return True
