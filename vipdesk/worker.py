"""The RQ worker vipdesk runs (scripts/start: rqworker-pool --worker-class
vipdesk.worker.Worker): RQ's SimpleWorker that

- reconnects to Redis within 10 s of its return (RQ's backoff grows to 60 s),
- cleans its registries every minute, so a job whose worker died is failed (and
  retried) within about two minutes instead of ten,
- records a heartbeat per job kind (vipdesk.models.JobHeartbeat) after every job,
- and each job's run time and outcome for /metrics (RecordingMixin)."""

import logging

from django.db import DatabaseError
from django.utils import timezone
from rq.worker import SimpleWorker

from vipdesk.metrics.workers import RecordingMixin
from vipdesk.models import JobHeartbeat

logger = logging.getLogger(__name__)


class Worker(RecordingMixin, SimpleWorker):
    max_connection_wait_time = 10.0

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("maintenance_interval", 60)
        super().__init__(*args, **kwargs)

    def handle_job_success(self, job, queue, started_job_registry, execution):
        super().handle_job_success(job, queue, started_job_registry, execution)
        beat(job.func_name)

    def handle_job_failure(
        self, job, queue, started_job_registry=None, exc_string="", execution=None
    ):
        super().handle_job_failure(job, queue, started_job_registry, exc_string, execution)
        beat(job.func_name, exc_string or "failed")


def beat(kind: str, error: str = "") -> None:
    try:
        JobHeartbeat.beat(kind, timezone.now(), error)
    except DatabaseError:  # the job's own outcome is in RQ; the next job beats again
        logger.warning("could not record the heartbeat of %s", kind, exc_info=True)
