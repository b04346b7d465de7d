"""SPEC defaults (the task policy) and the executive-contact follow-ups that lived in
tickets.FollowUpTask, copied into Task before tickets.0007 drops that table."""

from django.db import migrations


def load(apps, schema_editor):
    apps.get_model("tasks", "TaskPolicy").objects.get_or_create(pk=1)


def copy_follow_ups(apps, schema_editor):
    Task = apps.get_model("tasks", "Task")
    FollowUpTask = apps.get_model("tickets", "FollowUpTask")
    Task.objects.bulk_create(
        [
            Task(
                kind="executive_follow_up",
                key=f"ticket:{f.ticket_id}:executive_follow_up" if f.ticket_id else f"legacy:{f.pk}",
                title=f.title,
                owner_id=f.assignee_id,
                account_id=f.account_id,
                ticket_id=f.ticket_id,
                link=f"/tickets/{f.ticket_id}/" if f.ticket_id else "",
                due_at=f.due_at,
                status="done" if f.done_at else "open",
                closed_at=f.done_at,
                created_at=f.created_at,
            )
            for f in FollowUpTask.objects.all()
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("tasks", "0001_initial")]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.RunPython(copy_follow_ups, migrations.RunPython.noop),
    ]
