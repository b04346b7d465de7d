"""Alert delivery escapes outside text for each channel and records its failures."""

import json
from unittest import mock

import pytest
from django.core import mail

from tests.factories import make_user
from vipdesk.alerts.delivery import deliver_alert
from vipdesk.alerts.models import Alert

pytestmark = pytest.mark.django_db

EVIL = "<!channel> Urgent: <https://evil.example/sso|Re-authenticate> & more"


@pytest.fixture
def alert(db):
    return Alert.objects.create(
        user=make_user("csm-1"),
        kind=Alert.Kind.VIP_TICKET,
        dedupe_key="ticket:1:vip_p2",
        title=f"VIP P1 ticket: {EVIL}\r\nBcc: victim@example.com",
        body=f"#1 {EVIL}",
        link="/tickets/1/",
    )


def posted_text(settings, alert) -> str:
    settings.SLACK_WEBHOOK_URL = "https://hooks.slack.test/services/x"
    with mock.patch("urllib.request.urlopen") as urlopen:
        deliver_alert(alert.pk)
    request = urlopen.call_args.args[0]
    return json.loads(request.data)["text"]


def test_it_escapes_slack_control_characters(settings, alert):
    text = posted_text(settings, alert)
    assert "<!channel>" not in text and "<https://evil.example" not in text
    assert (
        "&lt;!channel&gt; Urgent: &lt;https://evil.example/sso|Re-authenticate&gt; &amp; more"
        in text
    )
    # vipdesk's own link stays a link.
    assert text.endswith("<http://127.0.0.1:8000/tickets/1/|Open in vipdesk>")


def test_it_keeps_the_e_mail_subject_on_one_line(alert):
    deliver_alert(alert.pk)
    (message,) = mail.outbox
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.subject.endswith("Bcc: victim@example.com")
    assert message.bcc == []


def test_it_records_a_failed_delivery_until_a_retry_succeeds(settings, alert, client):
    settings.SLACK_WEBHOOK_URL = "https://hooks.slack.test/services/x"
    refused = mock.patch("urllib.request.urlopen", side_effect=OSError("connection refused"))
    with refused, pytest.raises(OSError):
        deliver_alert(alert.pk)
    alert.refresh_from_db()
    assert alert.delivery_error == "OSError: connection refused"
    assert json.loads(client.get("/healthz").content)["alerts_delivery_failed"] == 1
    with mock.patch("urllib.request.urlopen"):
        deliver_alert(alert.pk)
    alert.refresh_from_db()
    assert alert.delivery_error == "" and alert.slack_posted_at is not None
    assert len(mail.outbox) == 1
