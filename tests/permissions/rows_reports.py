"""Permission-matrix rows for the reports app (see matrix.py)."""

from .matrix import FORBIDDEN, OK, Row, only

ADMIN_ONLY = only(OK, ("admin",), otherwise=FORBIDDEN)


def import_kwargs(world, own: bool) -> dict:
    """An upload's page: imports belong to no team, so "own" and "other" are the same one."""
    from reports.models import ExchangeImport

    job = ExchangeImport.objects.filter(file_name="matrix.zip").first()
    if job is None:
        job = ExchangeImport.objects.create(
            file_name="matrix.zip",
            size=1,
            dry_run=True,
            requested_by=world["users"]["admin"],
            status="problems",
            problems=["matrix.zip: not a zip file, or a damaged one"],
            problem_count=1,
        )
    return {"pk": job.pk}


ROWS: list = [
    # Importing case data is an administrator's job; every other role is refused.
    Row("reports:exchange-import", ADMIN_ONLY),
    Row("reports:exchange-import-detail", ADMIN_ONLY, kwargs=import_kwargs),
    Row("reports:exchange-import-status", ADMIN_ONLY, kwargs=import_kwargs),
]


# --- Measures, report runs and action lists (reports/views.py) ----------------------------------
#
# The measure catalogue holds definitions only: every signed-in user may read it. Report runs
# need `reports.run` (evaluators and managers); others get 403 on the list and the form. A run
# is visible only to the user who requested it: "own" is a run the manager requested, "other"
# one requested by a manager of another team; anyone else gets 404 (existence does not leak).
# The identifiable action lists are for managers only.

from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from reports.models import ReportFile, ReportRun  # noqa: E402
from seed.factories import user_with_role  # noqa: E402

from .matrix import NOT_FOUND, signed_in  # noqa: E402

RUNNERS = only(OK, ("manager", "evaluator"))
REQUESTER_ONLY = signed_in(NOT_FOUND, manager=OK)
NOBODY = signed_in(NOT_FOUND)
#: One small file shared by every matrix case (written once, never duplicated).
SAMPLE_FILE = "reports/permission-matrix/sample.csv"


def _requester(world, own: bool):
    if own:
        return world["users"]["manager"]
    other = User.objects.filter(username="matrix-other-manager").first()
    return other or user_with_role(
        Role.MANAGER, world["other_team"], username="matrix-other-manager"
    )


def _run(world, own: bool) -> ReportRun:
    requester = _requester(world, own)
    team = world["own_team" if own else "other_team"]
    run = ReportRun.objects.filter(requested_by=requester).first()
    if run is None:
        run = ReportRun.objects.create(
            kind="evaluation",
            parameters={
                "date_from": "2024-01-01",
                "date_to": "2024-12-31",
                "teams": [team.code],
                "follow_up_months": 12,
                "as_of": "2026-06-30",
                "fidelity_window_days": 56,
                "suppression": False,
                "suppression_threshold": 5,
            },
            requested_by=requester,
            scope_team_ids=[team.pk],
            team_ids=[team.pk],
            status="succeeded",
            progress=100,
        )
    return run


def run_kwargs(world, own: bool) -> dict:
    return {"pk": _run(world, own).pk}


def file_kwargs(world, own: bool) -> dict:
    run = _run(world, own)
    if not default_storage.exists(SAMPLE_FILE):
        default_storage.save(SAMPLE_FILE, ContentFile(b"id,label,team,value\r\n"))
    ReportFile.objects.get_or_create(
        run=run,
        kind="csv",
        defaults={
            "file": SAMPLE_FILE,
            "name": f"ecm-evaluation-report-{run.pk}.csv",
            "content_type": "text/csv",
            "size": 21,
            "sha256": "0" * 64,
        },
    )
    return {"pk": run.pk, "kind": "csv"}


ROWS += [
    Row("reports:measure-list", signed_in(OK)),
    Row("reports:run-list", RUNNERS),
    Row("reports:run-create", RUNNERS),
    Row("reports:run-detail", REQUESTER_ONLY, other_team=NOBODY, kwargs=run_kwargs),
    Row("reports:run-status", REQUESTER_ONLY, other_team=NOBODY, kwargs=run_kwargs),
    Row("reports:run-download", REQUESTER_ONLY, other_team=NOBODY, kwargs=file_kwargs),
    Row("reports:action-list", only(OK, ("manager",)), shows_young_people=True),
]


# --- Targets (reports/admin.py) ------------------------------------------------------------------
#
# Targets for the measures are reference data, set by administrators in the admin as the
# other reference data is; every other role is refused (anonymous users sign in first).


def target_kwargs(world, own: bool) -> dict:
    """A national target: targets belong to no team's cases, so "own" and "other" are one."""
    from reports.models import MeasureTarget

    target = MeasureTarget.objects.filter(measure_id="referrals").first()
    if target is None:
        target = MeasureTarget.objects.create(measure_id="referrals", direction="higher", value=5)
    return {"object_id": target.pk}


ROWS += [
    Row("admin:reports_measuretarget_changelist", ADMIN_ONLY),
    Row("admin:reports_measuretarget_add", ADMIN_ONLY),
    Row("admin:reports_measuretarget_change", ADMIN_ONLY, kwargs=target_kwargs),
    Row("admin:reports_measuretarget_history", ADMIN_ONLY, kwargs=target_kwargs),
]


# --- Subject access bundle (issue 17) -----------------------------------------------------------
#
# Asking for a young person's bundle is a page about one case: the managers of the case's team
# (`subject_access.request`) get it and, posting, are sent to the run's page; the other roles
# in the team see the case, so they are told 403; outside the team (another team, evaluators,
# administrators) it is 404, as for a case that does not exist. The download is the run's
# (requester only, rows above).

from .matrix import REDIRECT, case_kwargs  # noqa: E402

SUBJECT_ACCESS = signed_in(NOT_FOUND, manager=OK, practitioner=FORBIDDEN, psychologist=FORBIDDEN)

ROWS += [
    Row(
        "reports:subject-access",
        SUBJECT_ACCESS,
        other_team=signed_in(NOT_FOUND),
        kwargs=case_kwargs,
        shows_young_people=True,
    ),
    Row(
        "reports:subject-access",
        {**SUBJECT_ACCESS, "manager": REDIRECT},
        other_team=signed_in(NOT_FOUND),
        kwargs=case_kwargs,
        method="post",
    ),
]
