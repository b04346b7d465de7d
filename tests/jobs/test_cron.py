"""The RQ cron schedule and the management command."""

import importlib

from django.core.management import call_command
from rq import cron

from vipdesk.insight.jobs import RESCORE_ALL_TIMEOUT


def test_it_registers_the_periodic_jobs():
    cron._job_data_registry.clear()
    import vipdesk.cron

    importlib.reload(vipdesk.cron)
    jobs = {f"{d['func'].__module__}.{d['func'].__name__}": d for d in cron._job_data_registry}
    cron._job_data_registry.clear()
    assert {name: (d["cron"] or d["interval"], d["queue_name"]) for name, d in jobs.items()} == {
        "tickets.sla.jobs.monitor_slas": ("*/1 * * * *", "high"),
        # An interval job runs as soon as the scheduler (re)starts.
        "tickets.routing.jobs.sweep_pending_routing": (30, "default"),
        "escalations.jobs.open_requested_escalations": ("*/1 * * * *", "high"),
        "escalations.jobs.alert_past_forecast": ("7 * * * *", "default"),
        "escalations.forecast.refresh_figures": ("*/10 * * * *", "low"),
        "escalations.jobs.run_playbook": ("*/1 * * * *", "high"),
        "escalations.postmortems.jobs.remind_post_mortems": ("*/15 * * * *", "default"),
        "vipdesk.insight.jobs.rescore_if_due": ("*/1 * * * *", "default"),
        "vipdesk.insight.jobs.rescore_requested": ("*/1 * * * *", "default"),
        "vipdesk.insight.weekly_report.send_weekly_reports": ("0 8 * * 1", "low"),
        "vipdesk.insight.jobs.send_monthly_vip_report": ("0 7 * * *", "low"),
        "vipdesk.insight.rollups.refresh_recent_rollups": ("17 * * * *", "low"),
        "escalations.reports.refresh_trend": ("*/10 * * * *", "low"),
        "tickets.calendars.fill_all_holidays": ("0 3 1 * *", "low"),
        "tickets.followups.jobs.create_missing_follow_ups": ("*/5 * * * *", "default"),
        "vipdesk.tasks.jobs.alert_overdue_tasks": ("*/5 * * * *", "default"),
        "accounts.cadence.jobs.schedule_relationship_tasks": ("0 6 * * *", "low"),
        "vipdesk.insight.sponsor_summary.send_sponsor_summaries": ("0 7 * * *", "low"),
        "vipdesk.cron.check_heartbeats": ("*/1 * * * *", "high"),
        "tickets.staffing.pools.refresh_figures": ("*/1 * * * *", "default"),
        "vipdesk.insight.dashboard.refresh_figures": ("*/1 * * * *", "default"),
    }
    assert RESCORE_ALL_TIMEOUT == 300


def test_the_score_accounts_command_rescores_with_progress(db, capsys):
    from tests.factories import make_account

    account = make_account(usage_trend_pct=-40.0)
    call_command("score_accounts")
    out = capsys.readouterr().out
    assert "1/1 accounts scored" in out
    assert "Scored 1 accounts in" in out
    account.refresh_from_db()
    assert account.risk_score == 99 and account.scored_at is not None  # −40 % ≥ full at 15 %
