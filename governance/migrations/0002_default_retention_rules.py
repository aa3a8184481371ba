from django.db import migrations

from governance.schedules import ensure_retention_rules


def load(apps, schema_editor):
    ensure_retention_rules(apps.get_model("governance", "RetentionRule"))


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_retention")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
