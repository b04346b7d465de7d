"""Closing a task: done, or skipped with a reason. The list lives on /my/."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from vipdesk.tasks import actions
from vipdesk.tasks.access import get_task_for_user
from vipdesk.tasks.forms import SkipTaskForm


@require_POST
def task_done(request, task_id):
    task = get_task_for_user(request, task_id)
    if actions.complete_task(task, by=request.user):
        messages.success(request, f"Done: {task.title}")
    else:
        messages.warning(request, "That task was already closed.")
    return redirect("insight:my_work")


@require_POST
def task_skip(request, task_id):
    task = get_task_for_user(request, task_id)
    form = SkipTaskForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Not skipped: {form.errors['reason'][0]}")
    elif actions.skip_task(task, by=request.user, reason=form.cleaned_data["reason"]):
        messages.success(request, f"Skipped: {task.title}")
    else:
        messages.warning(request, "That task was already closed.")
    return redirect("insight:my_work")
