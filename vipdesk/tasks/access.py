"""Who may close a task: its owner, the lead it goes up to, and any support lead or
admin (they cover for absent colleagues). Anyone else gets a 404, so ids do not leak."""

from django.http import Http404

from vipdesk.lib.roles import Role, has_role
from vipdesk.tasks.models import Task


def get_task_for_user(request, task_id) -> Task:
    user = request.user
    task = Task.objects.filter(pk=task_id).first()
    if task is None or not (
        user.pk in (task.owner_id, task.lead_id) or has_role(user, Role.LEAD, Role.ADMIN)
    ):
        raise Http404
    return task
