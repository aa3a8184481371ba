from django.db import migrations

from accounts.reference_data import ensure_training_courses


def load(apps, schema_editor):
    ensure_training_courses(apps.get_model("accounts", "TrainingCourse"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_training_register_and_unit_costs")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
