"""A practitioner's typical mix for `make loadtest` (bench/loadtest.sh), loopback only.

Each simulated user is one of the practitioners signed in by `python -m bench.run
loadtest-sessions` (their session cookie, so no password or sign-in form is needed) and
loops without pause over: my caseload, the record of one of their young people, my
appointments, and that young person's timeline. With BENCH_TARGET=baseline the same users
ask for the baseline views instead (bench/views.py), for the ratio.
"""

import itertools
import json
import os
import random

from locust import HttpUser, constant, task

SESSIONS = json.loads(open(os.environ["BENCH_SESSIONS"], encoding="utf-8").read())  # noqa: SIM115
BASELINE = os.environ.get("BENCH_TARGET", "pages") == "baseline"
_next_session = itertools.cycle(SESSIONS)

PAGES = {
    "caseload": "/caseload/",
    "record": "/young-people/{pk}/",
    "appointments": "/appointments/",
    "timeline": "/young-people/{pk}/timeline/",
}
BASELINES = {
    "caseload": "/bench/baseline/caseload/",
    "record": "/bench/baseline/young-people/{pk}/",
    "appointments": "/bench/baseline/appointments/",
    "timeline": "/bench/baseline/young-people/{pk}/",
}
URLS = BASELINES if BASELINE else PAGES


class Practitioner(HttpUser):
    wait_time = constant(0)

    def on_start(self):
        session = next(_next_session)
        self.client.cookies.set(session["cookie_name"], session["session"])
        self.young_people = session["young_people"] or [0]
        self.random = random.Random(session["username"])  # noqa: S311 - not security

    def _get(self, name):
        url = URLS[name].format(pk=self.random.choice(self.young_people))
        with self.client.get(
            url, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:  # a redirect to sign-in is a failure too
                response.failure(f"{response.status_code} for {url}")

    @task(3)
    def caseload(self):
        self._get("caseload")

    @task(3)
    def record(self):
        self._get("record")

    @task(2)
    def appointments(self):
        self._get("appointments")

    @task(1)
    def timeline(self):
        self._get("timeline")
