from django.db import migrations

from cases.reference_data import ensure_defaults


def load(apps, schema_editor):
    ensure_defaults(apps.get_model("cases", "NeedCategory"), apps.get_model("cases", "TRMStage"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
