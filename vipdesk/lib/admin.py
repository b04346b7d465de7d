"""Admin base classes shared by every app (the audited policy admins are in
accounts/audit.py, next to the audit-trail model they write)."""

from django.contrib import admin

from vipdesk.lib.roles import Role, has_role


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the application (scores, notes, alerts, the audit trail):
    admins look, nobody edits them here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or has_role(request.user, Role.ADMIN)
