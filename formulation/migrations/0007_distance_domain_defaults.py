from django.db import migrations

from formulation.reference_data import ensure_distance_domains


def load(apps, schema_editor):
    ensure_distance_domains(apps.get_model("formulation", "DistanceDomain"))


class Migration(migrations.Migration):
    dependencies = [("formulation", "0006_distance_travelled")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
