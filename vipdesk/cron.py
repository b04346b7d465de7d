"""The periodic jobs, for exactly one `manage.py rqcron vipdesk.cron` process.

rq.cron does not catch up missed runs, so every job here looks back over what it
missed (the SLA monitor marks every past-due breach; rescore_if_due compares the last
finished run with the interval; weekly reports are deduplicated per ISO week, monthly
reports per month).
Cron fields follow settings.TIME_ZONE."""

from rq import cron

from escalations.jobs import open_requested_escalations, run_playbook
from tickets.routing.jobs import sweep_pending_routing
from tickets.sla.jobs import monitor_slas
from vipdesk.insight.jobs import (
    RESCORE_ALL_TIMEOUT,
    rescore_if_due,
    rescore_requested,
    send_monthly_vip_report,
)
from vipdesk.insight.rollups import refresh_recent_rollups
from vipdesk.insight.weekly_report import send_weekly_reports

cron.register(monitor_slas, queue_name="high", cron="*/1 * * * *", job_timeout=120)
cron.register(run_playbook, queue_name="high", cron="*/1 * * * *", job_timeout=120)
cron.register(sweep_pending_routing, queue_name="default", cron="*/1 * * * *", job_timeout=300)
# Escalations routing asked for (Ticket.escalation_request), opened by the layer above.
cron.register(open_requested_escalations, queue_name="high", cron="*/1 * * * *", job_timeout=120)
# Cheap check every minute: the interval (ScoreWeights.rescore_interval_minutes) is
# admin-editable, so the job decides whether a full rescore is due and enqueues it
# (with job_timeout=RESCORE_ALL_TIMEOUT and retries).
cron.register(rescore_if_due, queue_name="default", cron="*/1 * * * *", job_timeout=60)
# Accounts a lower layer asked to rescore (Account.rescore_requested), e.g. after routing.
cron.register(rescore_requested, queue_name="default", cron="*/1 * * * *", job_timeout=300)
cron.register(send_weekly_reports, queue_name="low", cron="0 8 * * 1", job_timeout=900)
cron.register(refresh_recent_rollups, queue_name="low", cron="17 * * * *", job_timeout=900)
# Daily, so a run missed on the 1st is made up; one report per lead and month.
cron.register(send_monthly_vip_report, queue_name="low", cron="0 7 * * *", job_timeout=900)

__all__ = ["RESCORE_ALL_TIMEOUT"]
