"""The monthly health summary for executive sponsors (seed 002 "Executive sponsor
program": "Sponsor receives monthly health score report"), checked daily at 07:00
(vipdesk/cron.py).

One e-mail per sponsor address with each of their VIP accounts: tier, health, risk
and its main reasons, open tickets and escalations, renewal, and this quarter's
business review. Idempotent: one per address per month (SponsorSummary); the first run
of a month sends it, a missed day is caught up the next.
"""

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import Account, SponsorSummary
from vipdesk.insight.weekly_report import build_lines
from vipdesk.tasks.models import Task


def send_sponsor_summaries(now: datetime | None = None) -> int:
    """Send this month's summary to every sponsor not yet sent one; returns how many."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    month = f"{today:%Y-%m}"
    done = set(SponsorSummary.objects.filter(month=month).values_list("sponsor_email", flat=True))
    by_sponsor: dict[str, list[Account]] = {}
    for account in (
        Account.objects.vip().exclude(executive_sponsor_email="").order_by("-risk_score", "name")
    ):
        email = account.executive_sponsor_email.lower()
        if email not in done:
            by_sponsor.setdefault(email, []).append(account)
    reviews = dict(
        Task.objects.filter(
            kind=Task.Kind.BUSINESS_REVIEW,
            account__in=[a for accounts in by_sponsor.values() for a in accounts],
            key__endswith=f"{today.year}-Q{(today.month - 1) // 3 + 1}",
        ).values_list("account_id", "status")
    )
    sent = 0
    for email, accounts in by_sponsor.items():
        lines = build_lines(accounts, today)
        for line in lines:
            line.review = reviews.get(line.account.pk)
        context = {
            "sponsor": accounts[0].executive_sponsor,
            "month": month,
            "lines": lines,
            "at_risk": [line for line in lines if line.account.risk_level in ("high", "critical")],
            "site_url": settings.SITE_URL.rstrip("/"),
        }
        try:
            with transaction.atomic():
                SponsorSummary.objects.create(
                    sponsor_email=email, month=month, accounts=len(lines), sent_at=now
                )
                EmailMessage(
                    subject=render_to_string("emails/sponsor-summary-subject.txt", context).strip(),
                    body=render_to_string("emails/sponsor-summary-body.txt", context),
                    to=[email],
                ).send()
        except IntegrityError:  # a concurrent run sent it
            continue
        sent += 1
    return sent
