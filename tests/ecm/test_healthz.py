from django.db import OperationalError
from django.urls import reverse


def test_healthy_service_reports_database_and_eager_broker(client, db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the embedded default: no broker configured
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}


class UnreachableDatabase:
    def cursor(self):
        raise OperationalError("connection refused")


def test_unreachable_database_answers_503(client, db, monkeypatch):
    monkeypatch.setattr("ecm.views.connection", UnreachableDatabase())
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert response.json()["status"] == "unavailable"
