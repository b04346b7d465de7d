"""Scoring jobs (RQ). Thin: the work is in vipdesk/insight/rescore.py.

- `rescore_all()`: the full rescore (hourly through `rescore_if_due`, or
  `manage.py score_accounts`).
- `rescore_requested()`: every minute, the accounts other layers asked to rescore
  (`Account.objects.filter(...).request_rescore()`) after an event that changes an
  account's risk (a routed ticket, an escalation change, an NPS or usage update).
  Scoring reads tickets and escalations, so it sits above them (vipdesk/insight);
  the layers below ask through the flag instead of calling up.
- `send_monthly_vip_report()`: daily, last month's VIP report to the support leads.
- `run_backtest(run_id)`: a backtest run from the admin's backtest page (the saved
  weights beside a draft, typed or suggested).
"""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import timezone
from rq import Retry

from accounts.models import Account, ScoreWeights, ScoringRun
from accounts.scoring import thresholds
from vipdesk.alerts.models import Alert
from vipdesk.alerts.raising import AlertSpec, raise_alerts
from vipdesk.insight import monthly, rescore
from vipdesk.insight.models import BacktestRun
from vipdesk.insight.replay import replay, report, summary
from vipdesk.insight.tuning import suggest_draft
from vipdesk.lib.jobs import run_or_enqueue
from vipdesk.lib.roles import Role

# Sized to the work (a full rescore of 100k accounts takes seconds): a job whose
# worker died is given up on after this long.
RESCORE_ALL_TIMEOUT = int(rescore.STALE_AFTER.total_seconds())


def rescore_all(
    now: datetime | None = None, *, chunk_size: int = rescore.CHUNK_SIZE, pause: float = 0.0
) -> int | None:
    """Job: rescore every account. Returns the ScoringRun id."""
    return rescore.rescore_all(now, chunk_size=chunk_size, pause_between_chunks=pause).run_id


def rescore_requested(now: datetime | None = None) -> int:
    """Every minute (cron): rescore the accounts some event asked for
    (Account.objects.request_rescore: a routed ticket, …); returns how many.

    The requests are claimed first (requested -> claimed, one statement), so one
    arriving during the rescore sets the request again and waits for the next run; the
    claims are cleared only after the rescore committed, so a failed or killed run
    leaves them for the next one."""
    Account.objects.filter(rescore_requested=True).update(
        rescore_requested=False, rescore_claimed=True
    )
    ids = list(Account.objects.filter(rescore_claimed=True).values_list("pk", flat=True))
    if not ids:
        return 0
    scored = rescore.rescore_accounts(ids, now).accounts
    Account.objects.filter(pk__in=ids).update(rescore_claimed=False)
    return scored


def last_finished_run() -> ScoringRun | None:
    return (
        ScoringRun.objects.filter(status=ScoringRun.Status.FINISHED)
        .order_by("-finished_at")
        .first()
    )


def rescore_is_due(now: datetime, interval_minutes: int) -> bool:
    """The last finished run is older than the interval, or the latest run never
    finished because its worker died ("running" or "abandoned"): it is re-run at once
    (rescore_if_due checks that nobody holds the run), not after RQ's clean-up."""
    latest = ScoringRun.objects.order_by("-started_at").first()
    if latest is not None and latest.status in (
        ScoringRun.Status.RUNNING,
        ScoringRun.Status.ABANDONED,
    ):
        return True
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


def send_monthly_vip_report(now: datetime | None = None) -> int:
    """Job: last month's VIP report (vipdesk/insight/monthly.py) to every active support
    lead, in the app and by e-mail, once: daily on the schedule, so a run missed on the
    1st is made up the next day; the alert's dedupe key (one per lead and month) keeps
    it to one. Returns how many were raised now."""
    now = now or timezone.now()
    month = monthly.last_finished_month(now)
    key = f"monthly-vip-report:{month:%Y-%m}"
    leads = list(
        get_user_model()
        .objects.filter(groups__name=Role.LEAD, is_active=True)
        .exclude(alerts__dedupe_key=key)
        .values_list("pk", flat=True)
        .distinct()
    )
    if not leads:
        return 0
    context = {"r": monthly.build_monthly(month, now)}
    title = render_to_string("emails/monthly-vip-report-subject.txt", context).strip()
    body = render_to_string("emails/monthly-vip-report-body.txt", context)
    specs = [
        AlertSpec(
            user_id=pk,
            kind=Alert.Kind.MONTHLY_REPORT,
            dedupe_key=key,
            title=title,
            body=body,
            link=f"/reports/vip/{month:%Y-%m}/",
        )
        for pk in leads
    ]
    return len(raise_alerts(specs, now))


BACKTEST_TIMEOUT = 4 * 3600


def draft_weights(draft: dict):
    """The saved weights with the draft's values on top (never saved here)."""
    weights = ScoreWeights.load()
    for name, value in draft.items():
        setattr(weights, name, value)
    return weights


def run_backtest(run_id: int) -> None:
    """Job: replay the run's period with the saved weights and the draft (fitting the
    draft first when the run asks for suggested weights); store both sets of figures."""
    if not BacktestRun.objects.filter(pk=run_id, status=BacktestRun.Status.QUEUED).update(
        status=BacktestRun.Status.RUNNING
    ):
        return  # already run (a retried or duplicate job)
    run = BacktestRun.objects.get(pk=run_id)
    try:
        saved = ScoreWeights.load()
        draft = run.draft
        if run.suggested and not draft:
            draft = suggest_draft(run.period_from, run.period_to, saved)
        sets = {"saved": saved, "draft": draft_weights(draft)}
        levels = {name: thresholds(w) for name, w in sets.items()}
        replayed = replay(
            run.period_from, run.period_to, sets, floor=min(min(t) for t in levels.values())
        )
        results = {
            name: {str(t): summary(report(replayed, name, t)) for t in levels[name]}
            for name in sets
        }
    except Exception as error:
        BacktestRun.objects.filter(pk=run_id).update(
            status=BacktestRun.Status.FAILED, error=repr(error), finished_at=timezone.now()
        )
        raise
    BacktestRun.objects.filter(pk=run_id).update(
        status=BacktestRun.Status.FINISHED,
        draft=draft,
        results=results,
        finished_at=timezone.now(),
    )
