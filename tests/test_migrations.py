from io import StringIO

from django.core.management import call_command


def test_models_and_migrations_agree(db):
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_appointments_recorded_before_purposes_were_coded_become_other_keeping_their_text(db):
    """cases 0007: the free-text purpose becomes the detail of the purpose "Other"."""
    import importlib

    from django.apps import apps

    from seed import factories

    migration = importlib.import_module(
        "cases.migrations.0007_appointment_purpose_outcome_duration"
    )
    earlier = factories.AppointmentFactory(purpose_category=None, purpose="Walk and talk")
    coded = factories.AppointmentFactory(purpose_category=factories.appointment_purpose("health"))

    migration.load_purposes(apps, None)

    earlier.refresh_from_db()
    coded.refresh_from_db()
    assert (earlier.purpose_category.code, earlier.purpose) == ("other", "Walk and talk")
    assert earlier.purpose_in_words == "Other – Walk and talk"
    assert coded.purpose_category.code == "health"
