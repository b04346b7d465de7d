"""The floor for bench/webhook_throughput.py: a bare Django view that checks the
webhook's HMAC signature and does one upsert, nothing else (no middleware, no ORM
model, no routing). Served by gunicorn beside the real app in the same run:

    gunicorn bench.floor_app:application

Its table, bench_floor_delivery, is created by the bench and dropped after it.
DATABASE_URL and ZENDESK_WEBHOOK_SECRET come from the environment."""

import base64
import hashlib
import hmac
import os

import dj_database_url
from django.conf import settings

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=600)},
)

import django  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402

django.setup()
SECRET = os.environ["ZENDESK_WEBHOOK_SECRET"].encode()
TABLE = "bench_floor_delivery"


def webhook(request):
    timestamp = request.headers.get("X-Zendesk-Webhook-Signature-Timestamp", "")
    signature = request.headers.get("X-Zendesk-Webhook-Signature", "")
    digest = hmac.new(SECRET, timestamp.encode() + request.body, hashlib.sha256).digest()
    if not hmac.compare_digest(base64.b64encode(digest), signature.encode()):
        return HttpResponse(status=401)
    key = hashlib.sha256(request.body).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (key, body) VALUES (%s, %s) "  # noqa: S608
            "ON CONFLICT (key) DO UPDATE SET body = EXCLUDED.body RETURNING id",
            [key, request.body.decode()],
        )
        (pk,) = cursor.fetchone()
    return JsonResponse({"id": pk}, status=201)


urlpatterns = [path("api/v1/webhooks/zendesk", webhook)]
application = get_wsgi_application()
