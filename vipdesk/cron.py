"""The periodic jobs, for exactly one `manage.py rqcron vipdesk.cron` process.

rq.cron does not catch up missed runs, so every job here looks back over what it
missed (the SLA monitor marks every past-due breach; rescore_if_due compares the last
finished run with the interval; weekly reports are deduplicated per ISO week).
Cron fields follow settings.TIME_ZONE."""

from rq import cron

from accounts.cadence.jobs import schedule_relationship_tasks
from escalations.jobs import open_requested_escalations
from tickets.calendars import fill_all_holidays
from tickets.followups.jobs import create_missing_follow_ups
from tickets.routing.jobs import sweep_pending_routing
from tickets.sla.jobs import monitor_slas
from vipdesk.insight.jobs import RESCORE_ALL_TIMEOUT, rescore_if_due, rescore_requested
from vipdesk.insight.sponsor_summary import send_sponsor_summaries
from vipdesk.insight.weekly_report import send_weekly_reports
from vipdesk.tasks.jobs import alert_overdue_tasks

cron.register(monitor_slas, queue_name="high", cron="*/1 * * * *", job_timeout=120)
cron.register(sweep_pending_routing, queue_name="default", cron="*/1 * * * *", job_timeout=300)
# Escalations routing asked for (Ticket.escalation_request), opened by the layer above.
cron.register(open_requested_escalations, queue_name="high", cron="*/1 * * * *", job_timeout=120)
# Cheap check every minute: the interval (ScoreWeights.rescore_interval_minutes) is
# admin-editable, so the job decides whether a full rescore is due and enqueues it
# (with job_timeout=RESCORE_ALL_TIMEOUT and retries).
cron.register(rescore_if_due, queue_name="default", cron="*/1 * * * *", job_timeout=60)
# Accounts a lower layer asked to rescore (Account.rescore_requested), e.g. after routing.
cron.register(rescore_requested, queue_name="default", cron="*/1 * * * *", job_timeout=300)
# Follow-up tasks of VIP tickets answered or resolved in the helpdesk, then the
# overdue ones: the owner first, the lead later (TaskPolicy).
cron.register(create_missing_follow_ups, queue_name="default", cron="*/5 * * * *", job_timeout=300)
cron.register(alert_overdue_tasks, queue_name="default", cron="*/5 * * * *", job_timeout=300)
# Check-ins, business and executive reviews, proactive outreach (CadencePolicy).
cron.register(schedule_relationship_tasks, queue_name="low", cron="0 6 * * *", job_timeout=600)
# Daily: each sponsor gets one summary a month (SponsorSummary); a missed day catches up.
cron.register(send_sponsor_summaries, queue_name="low", cron="0 7 * * *", job_timeout=900)
cron.register(send_weekly_reports, queue_name="low", cron="0 8 * * 1", job_timeout=900)
# Public holidays stay generated `holiday_years_ahead` years ahead as the years turn.
cron.register(fill_all_holidays, queue_name="low", cron="0 3 1 * *", job_timeout=300)

__all__ = ["RESCORE_ALL_TIMEOUT"]
