"""The monthly VIP report's delivery: every support lead gets last month's report, in
the app and by e-mail (tickets/alerts.py), once.

The cron entry (vipdesk/cron.py) runs daily: a run missed on the 1st is made up the next
day, and the alert's dedupe key (one per lead and month) keeps it to one report."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import timezone

from tickets.alerts import raise_alert
from tickets.models import Alert
from vipdesk.insight.monthly import build_monthly, last_finished_month
from vipdesk.roles import Role


def send_monthly_vip_report(now: datetime | None = None) -> int:
    """Job: last month's report to every active support lead who has not had it yet;
    returns how many were raised now."""
    now = now or timezone.now()
    month = last_finished_month(now)
    key = f"monthly-vip-report:{month:%Y-%m}"
    leads = list(
        get_user_model()
        .objects.filter(groups__name=Role.LEAD, is_active=True)
        .exclude(alerts__dedupe_key=key)
        .distinct()
    )
    if not leads:
        return 0
    report = build_monthly(month, now)
    context = {"r": report}
    title = render_to_string("emails/monthly-vip-report-subject.txt", context).strip()
    body = render_to_string("emails/monthly-vip-report-body.txt", context)
    sent = 0
    for lead in leads:
        alert = raise_alert(
            lead,
            kind=Alert.Kind.MONTHLY_REPORT,
            dedupe_key=key,
            title=title,
            body=body,
            link=f"/reports/vip/{month:%Y-%m}/",
            now=now,
        )
        sent += alert is not None
    return sent
