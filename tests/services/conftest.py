"""A real Celery worker on Redis, for tests marked ``services`` (``make test-services``)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


class WorkerProcess:
    """One `celery worker` subprocess using the test database and the configured broker."""

    def __init__(self, name: str):
        self.name = name
        self.process: subprocess.Popen | None = None

    def start(self):
        database = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": (
                f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
                f"{database['PORT'] or 5432}/{database['NAME']}"
            ),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "ecm",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--hostname",
                f"{self.name}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_until_ready()
        return self

    def wait_until_ready(self, timeout=60.0):
        from ecm.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read().decode(errors="replace")
                raise RuntimeError(f"celery worker exited early:\n{output}")
            replies = app.control.ping(timeout=1.0) or []
            if any(self.name in next(iter(reply)) for reply in replies):
                return
        raise RuntimeError("celery worker did not answer a ping in time")

    def kill(self):
        """Kill without warning, as a crashed machine would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def celery_worker_process(transactional_db):
    if not settings.CELERY_BROKER_URL or connection.vendor != "postgresql":
        if os.environ.get("ECM_REQUIRE_SERVICES") == "true":
            pytest.fail("services tests need DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL")
        pytest.skip("needs PostgreSQL and Redis: run `make test-services`")
    workers = []

    def start(name="worker1"):
        worker = WorkerProcess(name).start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
