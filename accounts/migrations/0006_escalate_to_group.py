# TierPolicy.escalate_to ("Support VP") was text nothing read. It now names the group
# whose members the SLA monitor alerts when a ticket of the tier escalates: create the
# groups the policies name, so the admin only adds people to them.

from django.db import migrations, models


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    TierPolicy = apps.get_model("accounts", "TierPolicy")
    for name in TierPolicy.objects.exclude(escalate_to="").values_list("escalate_to", flat=True):
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_rescore_requested"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AlterField(
            model_name="tierpolicy",
            name="escalate_to",
            field=models.CharField(
                blank=True,
                help_text="The group (Authentication › Groups) whose members are alerted when "
                "a ticket of this tier escalates (an SLA about to breach).",
                max_length=100,
            ),
        ),
        migrations.AlterField(
            model_name="tierpolicy",
            name="escalate_within_minutes",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="They are asked to respond within this many minutes.",
                null=True,
            ),
        ),
        migrations.RunPython(create_groups, migrations.RunPython.noop),
    ]
