from django.contrib import admin

from vipdesk.lib.admin import ReadOnlyAdmin
from vipdesk.tasks.models import Task


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "owner", "due_at", "status", "closed_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["owner"]
    search_fields = ["title", "key", "owner__username"]
    raw_id_fields = ["owner", "lead", "closed_by", "account", "ticket"]
    show_full_result_count = False
