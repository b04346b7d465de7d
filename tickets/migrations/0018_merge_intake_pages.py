from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0017_merge_intake_scoring"),
        ("tickets", "0017_merge_pages_scoring"),
    ]

    operations = []
