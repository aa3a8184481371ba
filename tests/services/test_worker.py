import pytest
from django.urls import reverse

pytestmark = pytest.mark.services


def test_health_check_reports_a_reachable_broker(client, celery_worker_process):
    celery_worker_process()
    response = client.get(reverse("healthz"))
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_a_real_worker_answers_and_stops(celery_worker_process):
    from ecm.celery import app

    worker = celery_worker_process("pinged")
    assert any("pinged@" in next(iter(reply)) for reply in app.control.ping(timeout=2.0))
    worker.kill()
    assert worker.process.returncode is not None
