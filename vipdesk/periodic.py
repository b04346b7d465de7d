"""Entry points the RQ cron scheduler enqueues (vipdesk/cron.py).

rq.cron needs a function object; functions other helpers own are imported when the
job runs, so the schedule does not depend on them at import time."""

from importlib import import_module


def sweep_pending_routing() -> None:
    """Route tickets still waiting for routing (tickets.jobs, owned by intake)."""
    import_module("tickets.jobs").sweep_pending_routing()
