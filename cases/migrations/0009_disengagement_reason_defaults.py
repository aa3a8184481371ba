from django.db import migrations

from cases.reference_data import ensure_disengagement_reasons


def load(apps, schema_editor):
    ensure_disengagement_reasons(apps.get_model("cases", "DisengagementReason"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_disengagement_reasons")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
