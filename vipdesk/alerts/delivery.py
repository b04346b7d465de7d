"""Delivering alerts: by e-mail and, if configured, to a Slack-compatible incoming
webhook; each channel at most once per alert. Text from outside (a ticket subject)
is escaped for each channel: Slack's control characters become entities, e-mail
headers stay on one line."""

import json
import logging
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from vipdesk.alerts.models import Alert
from vipdesk.lib.jobs import enqueue_on_commit

logger = logging.getLogger(__name__)


def deliver_alerts(alert_ids: list[int]) -> None:
    """Job: deliver several alerts; each at most once, so a retry skips those done.
    One failing delivery does not hold up the others; the job then fails (and is
    retried) with the first error."""
    first_error = None
    # One query loads them all (a routed batch raises hundreds); each channel's
    # "done" is still written per alert, at once, so a retry never sends twice.
    for alert in Alert.objects.select_related("user").filter(pk__in=alert_ids).order_by("pk"):
        try:
            deliver(alert)
        except Exception as error:  # noqa: BLE001 - retried as a whole
            logger.warning("delivering alert %s failed", alert.pk, exc_info=True)
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


def slack_escape(text: str) -> str:
    """&, < and > as Slack wants them escaped: a ticket subject can neither ping a
    channel (<!channel>) nor disguise a link (<https://…|text>)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def one_line(text: str) -> str:
    """Header text without line breaks (no header injection, no BadHeaderError)."""
    return " ".join(text.split())


def respond_by(alert: Alert) -> str:
    if alert.respond_by is None:
        return ""
    local = timezone.localtime(alert.respond_by)
    return f"\n\nPlease respond by {local:%a %d %b %H:%M} ({local.tzname()})."


def deliver_alert(alert_id: int) -> None:
    """Job: e-mail the alert and post it to Slack, each at most once. A failure is
    recorded on the alert (Alert.delivery_error: in the admin, counted on /healthz)
    until a retry succeeds."""
    alert = Alert.objects.select_related("user").filter(pk=alert_id).first()
    if alert is not None:
        deliver(alert)


def deliver(alert: Alert) -> None:
    try:
        send(alert)
    except Exception as error:
        Alert.objects.filter(pk=alert.pk).update(
            delivery_error=f"{type(error).__name__}: {error}"[:1000]
        )
        raise
    if alert.delivery_error:
        Alert.objects.filter(pk=alert.pk).update(delivery_error="")


def send(alert: Alert) -> None:
    url = f"{settings.SITE_URL.rstrip('/')}{alert.link}" if alert.link else settings.SITE_URL
    if alert.emailed_at is None and alert.user.email:
        send_mail(
            subject=one_line(f"[vipdesk] {alert.title}"),
            message=f"{alert.body}{respond_by(alert)}\n\n{url}\n",
            from_email=None,
            recipient_list=[alert.user.email],
        )
        Alert.objects.filter(pk=alert.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if alert.slack_posted_at is None and settings.SLACK_WEBHOOK_URL:
        title, body = slack_escape(alert.title), slack_escape(alert.body + respond_by(alert))
        payload = json.dumps({"text": f"*{title}*\n{body}\n<{url}|Open in vipdesk>"})
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
