from django.contrib import admin

from accounts.audit import AuditedAdmin
from vipdesk.sso.models import GroupRole


@admin.register(GroupRole)
class GroupRoleAdmin(AuditedAdmin):
    """Applied at each single sign-on: a user's roles are those of their mapped groups."""

    list_display = ["group", "role"]
    list_filter = ["role"]
    search_fields = ["group"]
