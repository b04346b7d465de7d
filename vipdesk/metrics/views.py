import hmac
import ipaddress
import os

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)

from vipdesk.metrics.collector import OperationsCollector

operations = CollectorRegistry(auto_describe=False)
operations.register(OperationsCollector())


def allowed(request) -> bool:
    """A request bearing METRICS_TOKEN, or coming from METRICS_ALLOWED_NETWORKS."""
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        return True
    address = ipaddress.ip_address(request.META["REMOTE_ADDR"])
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


def process_registry():
    """This process's metrics, or every web process's under a multi-process server
    (PROMETHEUS_MULTIPROC_DIR, see django-prometheus)."""
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


@login_not_required
@require_GET
def metrics(request):
    if not allowed(request):
        return HttpResponse(
            "Metrics need a token or an allowed network.\n",
            status=401,
            content_type="text/plain",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    body = generate_latest(process_registry()) + generate_latest(operations)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
