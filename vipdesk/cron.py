"""The periodic jobs, for exactly one `manage.py rqcron vipdesk.cron` process.

rq.cron does not catch up missed runs, so every job here looks back over what it
missed (the SLA monitor marks every past-due breach; rescore_if_due compares the last
finished run with the interval; weekly reports are deduplicated per ISO week, monthly
reports per month).
Cron fields follow settings.TIME_ZONE.

The routing sweep runs on an interval rather than a cron line: rq.cron runs interval
jobs as soon as the scheduler starts, so after a Redis outage (scripts/start restarts
the scheduler) the backlog is routed at once, not at the next minute.

Heartbeats: the worker records each job kind's last success (JobHeartbeat);
check_heartbeats (every minute) alerts admins about a scheduled kind that missed two
of its periods, and /healthz lists the stale ones."""

from datetime import UTC, datetime, timedelta

from croniter import croniter
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from rq import cron

from accounts.cadence.jobs import schedule_relationship_tasks
from escalations import forecast
from escalations.jobs import alert_past_forecast, open_requested_escalations, run_playbook
from escalations.postmortems.jobs import remind_post_mortems
from escalations.reports import TREND_REFRESH_MINUTES, refresh_trend
from tickets.calendars import fill_all_holidays
from tickets.followups.jobs import create_missing_follow_ups
from tickets.routing.jobs import sweep_pending_routing
from tickets.sla.jobs import monitor_slas
from tickets.staffing.pools import refresh_figures as refresh_pool_figures
from vipdesk.alerts.models import Alert
from vipdesk.alerts.raising import AlertSpec, raise_alerts
from vipdesk.insight.dashboard import refresh_figures as refresh_dashboard_figures
from vipdesk.insight.jobs import (
    RESCORE_ALL_TIMEOUT,
    rescore_if_due,
    rescore_requested,
    send_monthly_vip_report,
)
from vipdesk.insight.rollups import refresh_recent_rollups
from vipdesk.insight.sponsor_summary import send_sponsor_summaries
from vipdesk.insight.weekly_report import send_weekly_reports
from vipdesk.lib.roles import Role
from vipdesk.models import JobHeartbeat
from vipdesk.tasks.jobs import alert_overdue_tasks


def stale_jobs(now: datetime) -> list[JobHeartbeat]:
    """The scheduled job kinds that missed two of their periods."""
    periods = {kind: period(data) for kind, data in SCHEDULED.items()}
    return [
        beat
        for beat in JobHeartbeat.objects.filter(kind__in=periods)
        if beat.is_stale(periods[beat.kind], now)
    ]


def check_heartbeats(now: datetime | None = None) -> int:
    """Every minute: alert every admin once per stale episode of a scheduled job kind."""
    now = now or timezone.now()
    admins = get_user_model().objects.filter(
        Q(is_superuser=True) | Q(groups__name=Role.ADMIN), is_active=True
    )
    specs = [
        AlertSpec(
            user_id=admin_id,
            kind=Alert.Kind.JOB_STALE,
            dedupe_key=f"job-stale:{beat.kind}:{beat.last_success_at or beat.last_failure_at}",
            title=f"Background job {beat.kind.rsplit('.', 1)[-1]} has not run successfully "
            f"since {beat.last_success_at or 'it started'}",
            body=beat.last_error[-1000:],
            link=f"/admin/vipdesk/jobheartbeat/{beat.pk}/change/",
        )
        for beat in stale_jobs(now)
        for admin_id in admins.values_list("pk", flat=True).distinct()
    ]
    return len(raise_alerts(specs, now))


def period(data: dict) -> timedelta:
    if data["interval"]:
        return timedelta(seconds=data["interval"])
    fires = croniter(data["cron"], datetime(2026, 1, 5, tzinfo=UTC))  # a Monday
    first = fires.get_next(datetime)
    return fires.get_next(datetime) - first


cron.register(monitor_slas, queue_name="high", cron="*/1 * * * *", job_timeout=120)
cron.register(run_playbook, queue_name="high", cron="*/1 * * * *", job_timeout=120)
# Post-mortems and their follow-up actions: reminders before and after due.
cron.register(remind_post_mortems, queue_name="default", cron="*/15 * * * *", job_timeout=120)
cron.register(sweep_pending_routing, queue_name="default", interval=30, job_timeout=300)
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
# Open escalations running past their resolution forecast (once per escalation).
cron.register(alert_past_forecast, queue_name="default", cron="7 * * * *", job_timeout=300)
# The forecast's similarity groups (their medians and counts), read by the escalation
# page and the alert above with their age (tickets/snapshots.py).
cron.register(
    forecast.refresh_figures,
    queue_name="low",
    cron=f"*/{forecast.REFRESH_MINUTES} * * * *",
    job_timeout=300,
)
cron.register(send_weekly_reports, queue_name="low", cron="0 8 * * 1", job_timeout=900)
cron.register(refresh_recent_rollups, queue_name="low", cron="17 * * * *", job_timeout=900)
# The escalation report's monthly trend (EscalationMonthTotals), rewritten whole.
cron.register(
    refresh_trend, queue_name="low", cron=f"*/{TREND_REFRESH_MINUTES} * * * *", job_timeout=300
)
# Daily, so a run missed on the 1st is made up; one report per lead and month.
cron.register(send_monthly_vip_report, queue_name="low", cron="0 7 * * *", job_timeout=900)
# Public holidays stay generated `holiday_years_ahead` years ahead as the years turn.
cron.register(fill_all_holidays, queue_name="low", cron="0 3 1 * *", job_timeout=300)
cron.register(check_heartbeats, queue_name="high", cron="*/1 * * * *", job_timeout=60)
# The slow figures of the pools page and the VIP dashboard, read from Snapshot with
# their age (tickets/snapshots.py): seconds of work at 2M tickets, never in a request.
cron.register(refresh_pool_figures, queue_name="default", cron="*/1 * * * *", job_timeout=300)
cron.register(refresh_dashboard_figures, queue_name="default", cron="*/1 * * * *", job_timeout=300)

# What was registered above, by job kind (rq.cron's registry is emptied when rqcron loads).
SCHEDULED = {f"{d['func'].__module__}.{d['func'].__name__}": d for d in cron._job_data_registry}

__all__ = ["RESCORE_ALL_TIMEOUT"]
