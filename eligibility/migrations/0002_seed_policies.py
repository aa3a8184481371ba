from django.db import migrations

from eligibility.reference_data import ensure_default_policies


def seed(apps, schema_editor):
    ensure_default_policies(apps.get_model("eligibility", "EligibilityPolicy"))


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
