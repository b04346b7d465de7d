"""Raising alerts: one in-app Alert per user and reason, delivered by e-mail and,
if configured, to a Slack-compatible incoming webhook.

Raising is idempotent: the (user, dedupe_key) pair is unique, so a retried job
or a second monitor run never alerts twice for the same thing.
"""

import json
import logging
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from tickets.models import Alert
from vipdesk.lib.jobs import enqueue_on_commit

logger = logging.getLogger(__name__)


def raise_alert(
    user,
    *,
    kind: str,
    dedupe_key: str,
    title: str,
    body: str = "",
    link: str = "",
    account=None,
    ticket=None,
    now=None,
    deliver: bool = True,
) -> Alert | None:
    """Create the alert unless this user already has one with this key; returns the new
    alert, or None when it already existed (or there is no one to tell).

    deliver=False leaves the e-mail/Slack delivery to the caller, who batches it
    (deliver_alerts) — routing does, one job per batch of tickets."""
    if user is None:
        return None
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                user=user,
                kind=kind,
                dedupe_key=dedupe_key[:200],
                title=title[:300],
                body=body,
                link=link,
                account=account,
                ticket=ticket,
                created_at=now or timezone.now(),
            )
    except IntegrityError:
        return None
    if deliver:
        enqueue_on_commit(deliver_alert, alert.pk, job_id=f"deliver-alert-{alert.pk}", queue="high")
    return alert


def deliver_alerts(alert_ids: list[int]) -> None:
    """Job: deliver several alerts; each at most once, so a retry skips those done.
    One failing delivery does not hold up the others; the job then fails (and is
    retried) with the first error."""
    first_error = None
    for alert_id in alert_ids:
        try:
            deliver_alert(alert_id)
        except Exception as error:  # noqa: BLE001 - retried as a whole
            logger.warning("delivering alert %s failed", alert_id, exc_info=True)
            first_error = first_error or error
    if first_error is not None:
        raise first_error


def enqueue_delivery(alert_ids: list[int]) -> None:
    """One delivery job for these alerts, after commit (deterministic id)."""
    if alert_ids:
        ids = sorted(alert_ids)
        enqueue_on_commit(
            deliver_alerts,
            ids,
            job_id=f"deliver-alerts-{ids[0]}-{ids[-1]}-{len(ids)}",
            queue="high",
        )


def deliver_alert(alert_id: int) -> None:
    """Job: e-mail the alert and post it to Slack, each at most once."""
    alert = Alert.objects.select_related("user").filter(pk=alert_id).first()
    if alert is None:
        return
    url = f"{settings.SITE_URL.rstrip('/')}{alert.link}" if alert.link else settings.SITE_URL
    if alert.emailed_at is None and alert.user.email:
        send_mail(
            subject=f"[vipdesk] {alert.title}",
            message=f"{alert.body}\n\n{url}\n",
            from_email=None,
            recipient_list=[alert.user.email],
        )
        Alert.objects.filter(pk=alert.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if alert.slack_posted_at is None and settings.SLACK_WEBHOOK_URL:
        payload = json.dumps({"text": f"*{alert.title}*\n{alert.body}\n<{url}|Open in vipdesk>"})
        request = urllib.request.Request(  # noqa: S310 - admin-configured https URL
            settings.SLACK_WEBHOOK_URL,
            data=payload.encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310
            pass
        Alert.objects.filter(pk=alert.pk, slack_posted_at__isnull=True).update(
            slack_posted_at=timezone.now()
        )
