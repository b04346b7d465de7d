"""What an RQ worker records of each job's outcome for /metrics
(vipdesk/metrics/job_stats.py), mixed into vipdesk's worker (vipdesk/worker.py).
Recording never fails a job: a Redis error is logged."""

import logging

from redis.exceptions import RedisError

from vipdesk.metrics import job_stats

logger = logging.getLogger(__name__)


class RecordingMixin:
    def handle_job_success(self, job, queue, started_job_registry, execution):
        super().handle_job_success(job, queue, started_job_registry, execution)
        self._record(job_stats.record_success, job)

    def handle_job_failure(
        self, job, queue, started_job_registry=None, exc_string="", execution=None
    ):
        super().handle_job_failure(job, queue, started_job_registry, exc_string, execution)
        self._record(job_stats.record_failure, job)

    def _record(self, record, job) -> None:
        try:
            record(self.connection, job)
        except RedisError:
            logger.warning("could not record job %s for metrics", job.id, exc_info=True)
