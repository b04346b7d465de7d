from django.contrib import admin

from vipdesk.alerts.models import Alert
from vipdesk.lib.admin import ReadOnlyAdmin


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "user", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind", "created_at", ("delivery_error", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["title", "user__username"]
    show_full_result_count = False
