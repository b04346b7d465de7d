from django.contrib import admin
from django.utils import timezone

from vipdesk.cron import SCHEDULED, period
from vipdesk.lib.admin import ReadOnlyAdmin
from vipdesk.models import JobHeartbeat


@admin.register(JobHeartbeat)
class JobHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["kind", "last_success_at", "last_failure_at", "stale"]
    search_fields = ["kind"]

    @admin.display(boolean=True, description="stale")
    def stale(self, obj: JobHeartbeat) -> bool | None:
        data = SCHEDULED.get(obj.kind)
        return obj.is_stale(period(data), timezone.now()) if data else None
