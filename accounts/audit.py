"""The audit trail of policy edits: who changed which policy row, when, from what to what.

`diff` is the rule (pure); `record` writes one PolicyChange; `AuditedAdmin` makes
every admin create/change/delete of a policy row write one."""

import json
from typing import Any

from django.contrib import admin
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse

from accounts.models import PolicyChange

Action = PolicyChange.Action


def json_safe(value: Any) -> Any:
    """Decimals, dates and times as the strings DjangoJSONEncoder writes."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list]:
    """{field: [old, new]} for every field whose value differs. A field missing on
    one side (a created or deleted row) counts as None there."""
    return {
        field: [json_safe(old.get(field)), json_safe(new.get(field))]
        for field in sorted(old.keys() | new.keys())
        if old.get(field) != new.get(field)
    }


def field_values(obj: models.Model, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The row's stored values (foreign keys as ids), keyed by field name."""
    return {
        field.name: field.value_from_object(obj)
        for field in obj._meta.concrete_fields
        if not field.primary_key and field.name not in exclude
    }


def record(user, obj: models.Model, action: str, changes: dict[str, list]) -> PolicyChange:
    return PolicyChange.objects.create(
        user=user if user and user.is_authenticated else None,
        model=obj._meta.label,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action=action,
        changes=changes,
    )


class AuditedAdmin(admin.ModelAdmin):
    """A policy table's admin: each save or delete writes a PolicyChange.

    Subclasses may refuse a delete with a reason (`delete_refusal`); the admin
    then shows the reason instead of a confirmation and deletes nothing."""

    audit_exclude: tuple[str, ...] = ()

    def save_model(self, request, obj, form, change):
        # The form has already put the new values on `obj`; the row in the
        # database still holds the old ones.
        old = {}
        if change:
            stored = type(obj)._default_manager.get(pk=obj.pk)
            old = field_values(stored, self.audit_exclude)
        super().save_model(request, obj, form, change)
        # Read after saving: model save() may normalise (e.g. churn phrases).
        changes = diff(old, field_values(obj, self.audit_exclude))
        if changes or not change:
            record(request.user, obj, Action.UPDATE if change else Action.CREATE, changes)

    def delete_model(self, request, obj):
        self._record_deletion(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._record_deletion(request, obj)
        super().delete_queryset(request, queryset)

    def _record_deletion(self, request, obj):
        record(request.user, obj, Action.DELETE, diff(field_values(obj, self.audit_exclude), {}))

    def delete_refusal(self, objs) -> str | None:
        return None

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        refusal = self.delete_refusal(objs)
        if refusal:
            # Django's delete view and "delete selected" action refuse to delete
            # anything while `protected` is non-empty, and list it on the page.
            protected = [*protected, refusal]
        return deleted, model_count, perms_needed, protected


class SingletonAdmin(AuditedAdmin):
    """A one-row policy (pk=1): no second row, no deletion; the list opens the row."""

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not self.model.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        obj = self.model.load()
        opts = self.model._meta
        return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
