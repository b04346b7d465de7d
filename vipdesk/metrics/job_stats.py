"""Per-job statistics kept in Redis by the workers, read by the metrics collector.

One hash per figure, keyed by the job's function (e.g. tickets.routing.jobs.drain_routing):
runs, seconds (total run time), failures (failed attempts, retried or not) and the
Unix time of the last success. Redis keeps them across restarts and hosts.
"""

from dataclasses import dataclass

RUNS = "vipdesk:jobs:runs"
SECONDS = "vipdesk:jobs:seconds"
FAILURES = "vipdesk:jobs:failures"
LAST_SUCCESS = "vipdesk:jobs:last-success"


@dataclass(frozen=True)
class JobStats:
    runs: int = 0
    seconds: float = 0.0
    failures: int = 0
    last_success: float | None = None


def record_success(connection, job) -> None:
    seconds = (job.ended_at - job.started_at).total_seconds()
    with connection.pipeline(transaction=False) as pipe:
        pipe.hincrby(RUNS, job.func_name, 1)
        pipe.hincrbyfloat(SECONDS, job.func_name, seconds)
        pipe.hset(LAST_SUCCESS, job.func_name, job.ended_at.timestamp())
        pipe.execute()


def record_failure(connection, job) -> None:
    connection.hincrby(FAILURES, job.func_name, 1)


def read(connection) -> dict[str, JobStats]:
    with connection.pipeline(transaction=False) as pipe:
        for key in (RUNS, SECONDS, FAILURES, LAST_SUCCESS):
            pipe.hgetall(key)
        runs, seconds, failures, last = (
            {k.decode(): v for k, v in found.items()} for found in pipe.execute()
        )
    return {
        name: JobStats(
            runs=int(runs.get(name, 0)),
            seconds=float(seconds.get(name, 0)),
            failures=int(failures.get(name, 0)),
            last_success=float(last[name]) if name in last else None,
        )
        for name in sorted(runs.keys() | failures.keys())
    }
