import time
from tests.services.test_report_worker import *  # noqa
from tests.services.test_report_worker import PERIOD, files_root  # noqa

def test_timeline(celery_worker_process, files_root, monkeypatch, cohort, evaluator):
    monkeypatch.setenv("ECM_REPORT_TEST_DELAY_SECONDS", "0.3")
    t0 = time.monotonic()
    doomed = celery_worker_process("doomed")
    print("started", time.monotonic() - t0)
    run = services.report_request(by=evaluator, kind="evaluation", parameters=PERIOD)
    run = wait_for(run, lambda run: run.status == RunStatus.RUNNING and run.progress >= 10, timeout=60, what="x")
    print("killing", time.monotonic() - t0, run.progress)
    doomed.kill()
    celery_worker_process("rescuer")
    print("rescuer up", time.monotonic() - t0)
    last = None
    while time.monotonic() - t0 < 200:
        run.refresh_from_db()
        state = (run.status, run.attempts, run.progress // 10)
        if state != last:
            print(round(time.monotonic() - t0, 1), state, run.heartbeat_at)
            last = state
        if run.status == "succeeded":
            break
        time.sleep(0.5)
