import json

import pytest
from django.core.management import CommandError, call_command

from accounts import policy
from accounts.models import Agency, Membership, Team, User


def test_seed_demo_refuses_outside_the_demo_and_debug(db, settings):
    settings.DEBUG = False
    settings.ECM_DEMO = False
    with pytest.raises(CommandError, match="refuses to run unless ECM_DEMO or DJANGO_DEBUG"):
        call_command("seed_demo")


def test_seed_demo_is_idempotent(db, settings):
    # As `make run` has it: the demonstration, with DEBUG off.
    settings.DEBUG = False
    settings.ECM_DEMO = True
    call_command("seed_demo")
    counts = (
        Team.objects.count(),
        Agency.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )
    call_command("seed_demo")
    assert counts == (
        Team.objects.count(),
        Agency.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )
    assert counts[0] == 3


def test_demo_psychologist_serves_all_three_teams(db):
    call_command("seed_demo", "--force")
    psychologist = User.objects.get(username="psychologist")
    assert {team.name for team in policy.teams_for(psychologist, "case.read")} == {
        "Flintshire",
        "Blaenau Gwent and Caerphilly",
        "Carmarthenshire",
    }
    assert psychologist.check_password("demo-password-ecm")


def test_demo_has_young_people_meetings_and_supervision(db, settings):
    from cases.models import YoungPerson
    from formulation.models import FormulationMeeting, MeetingAttendance
    from supervision.models import SupervisionSession

    settings.DEBUG = True
    call_command("seed_demo")
    # 25 with ECM histories, 10 eligible referrals who did not start (the comparison), and
    # 3 cases closed long ago, due under the retention schedule.
    assert YoungPerson.objects.count() == 38
    assert set(YoungPerson.objects.values_list("team__code", flat=True)) == {
        "flintshire",
        "blaenau-gwent-caerphilly",
        "carmarthenshire",
    }
    assert FormulationMeeting.objects.filter(kind="review").exists()
    assert SupervisionSession.objects.exists()
    first = MeetingAttendance.objects.filter(meeting__kind="initial")
    later = MeetingAttendance.objects.filter(meeting__kind="review")
    first_rate = first.filter(attended=True).count() / first.count()
    later_rate = later.filter(attended=True).count() / later.count()
    assert later_rate < first_rate  # attendance tails off over successive reviews


def test_every_started_demo_case_had_consent_from_every_required_party(db, settings):
    from cases import rules
    from cases.models import Consent, ConsentPurpose, YoungPerson

    settings.DEBUG = True
    call_command("seed_demo")
    started = YoungPerson.objects.filter(ecm_start_date__isnull=False)
    assert started.exists()
    assert YoungPerson.objects.filter(ecm_start_date__isnull=True).exists()
    for person in started:
        on_start = Consent.objects.filter(
            young_person=person,
            purpose=ConsentPurpose.PARTICIPATION,
            decided_on__lte=person.ecm_start_date,
        ).order_by("-decided_on", "-id")
        decisions = {
            party: consent.decision
            for (party, _purpose), consent in rules.latest_decisions(on_start).items()
        }
        assert rules.parties_without_consent(decisions, person.parent_consent_required) == [], (
            person.reference
        )


def test_a_demo_case_without_the_parents_consent_is_not_started(team_a, practitioner, manager):
    """Seed 2 on this day draws a 15-year-old who consents while the parent or carer gives
    no decision (the one case in ten where the demo leaves it unrecorded)."""
    import random
    from datetime import UTC, datetime

    import time_machine

    from cases.models import (
        Appointment,
        Consent,
        ConsentParty,
        ConsentPurpose,
        NeedCategory,
        TRMStage,
        YoungPerson,
    )
    from seed.demo import young_people

    categories = {category.code: category for category in NeedCategory.objects.all()}
    stages = {stage.number: stage for stage in TRMStage.objects.all()}
    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=UTC), tick=False):
        young_people._build_history(
            random.Random(2), 1, "DEMO-T01", team_a, practitioner, manager, categories, stages
        )
    person = YoungPerson.objects.get(reference="DEMO-T01")
    participation = dict(
        Consent.objects.filter(
            young_person=person, purpose=ConsentPurpose.PARTICIPATION
        ).values_list("party", "decision")
    )
    # The story this test is about: the young person said yes; nobody asked the parent.
    assert person.parent_consent_required
    assert participation == {ConsentParty.YOUNG_PERSON: "given"}
    assert person.ecm_start_date is None
    assert not Appointment.objects.filter(young_person=person).exists()


def test_demo_gives_each_home_page_work_for_today(db, settings):
    # Relative to the day the demonstration is loaded: appointments today and this week, some
    # not recorded yet, meetings in the coming week, supervision actions still open.
    from ecm import today

    settings.DEBUG = True
    call_command("seed_demo")

    def data(username):
        (section,) = today.sections_for(User.objects.get(username=username))
        return section.data

    counts = {count.label: count.number for count in data("practitioner")["appointment_counts"]}
    assert all(counts.values()), counts
    assert data("practitioner")["appointments_today"]
    assert data("practitioner")["attention_total"]
    assert data("manager")["teams"][0]["total"]
    psychologist = data("psychologist")
    assert psychologist["meetings"]
    assert psychologist["reviews_total"]
    assert psychologist["open_actions"]


def test_demo_gives_the_evaluator_a_report_and_the_administrator_a_lockout(db, settings):
    from ecm import today
    from reports.models import RunStatus

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")

    def data(username):
        (section,) = today.sections_for(User.objects.get(username=username))
        return section.data

    (run,) = data("evaluator")["runs"]
    assert run.status == RunStatus.SUCCEEDED
    assert run.files.exists()
    assert data("admin")["locked"].number == 1


def test_demo_shows_reasons_given_and_distance_travelled(db, settings):
    from cases.models import Consent, YoungPerson
    from formulation.models import DistanceRating
    from formulation.selectors import distance_travelled

    settings.DEBUG = True
    call_command("seed_demo")
    refusals = Consent.objects.filter(decision__in=["refused", "withdrawn"])
    assert refusals.exists()
    assert not refusals.filter(reason__isnull=True).exists()
    assert refusals.exclude(own_words="").values("young_person").distinct().count() >= 3
    withdrawn = YoungPerson.objects.filter(end_reason="withdrawn")
    assert not withdrawn.filter(withdrawal_reason__isnull=True).exists()
    rated = YoungPerson.objects.filter(
        pk__in=DistanceRating.objects.values("formulation__meeting__young_person")
    )
    assert rated.count() >= 5
    changed = [
        row
        for person in rated
        for row in distance_travelled(person)
        if not row.rated_once and (row.self_change or row.practitioner_change)
    ]
    assert changed


def test_the_demo_shows_supervision_on_the_record_and_management_oversight(db, settings):
    from django.utils import timezone

    from cases.models import YoungPerson
    from supervision.models import OversightEntry, SupervisionNote
    from supervision.rules import oversight_due_since

    settings.DEBUG = True
    call_command("seed_demo")
    noted = SupervisionNote.objects.values("young_person").distinct().count()
    assert noted >= 3
    since = oversight_due_since(timezone.localdate())
    recent = set(
        OversightEntry.objects.filter(reviewed_on__gte=since).values_list("young_person", flat=True)
    )
    assert len(recent) >= 3
    assert OversightEntry.objects.filter(responds_to__isnull=False).exists()
    open_cases = YoungPerson.objects.filter(
        ecm_start_date__lte=since, ecm_end_date__isnull=True
    ).exclude(pk__in=recent)
    assert open_cases.count() >= 2  # the team view has cases to flag


def test_the_demo_has_targets_the_report_and_the_managers_team_page_show(db, settings):
    from django.urls import reverse

    from reports.models import FileKind, ReportRun
    from tests.conftest import client_for

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")

    run = ReportRun.objects.get(requested_by__username="evaluator")
    with run.files.get(kind=FileKind.JSON).file.open("rb") as stored:
        document = json.loads(stored.read())
    assessed = document["targets"]["by_team"]["flintshire"]["attendance_rate"]
    assert (assessed["target"]["scope"], assessed["target"]["value"]) == ("flintshire", 0.8)
    assert assessed["target_status"] in ("met", "not_met")
    manager = User.objects.get(username="manager")
    page = client_for(manager).get(reverse("cases:team-detail", args=["flintshire"]))
    assert "Key measures against targets" in page.content.decode()
    assert "80.0% or more" in page.content.decode()


def test_every_started_demo_case_was_judged_eligible_before_it_started(db, settings):
    """As a real case would be: a decision by the policy in force, dated by the start, and a
    manager's override with a reason where the criteria were not met."""
    from django.db.models import F

    from cases.models import YoungPerson
    from eligibility.models import EligibilityDecision

    settings.DEBUG = True
    call_command("seed_demo")
    started = YoungPerson.objects.filter(ecm_start_date__isnull=False)
    decided = EligibilityDecision.objects.filter(
        young_person__in=started, decided_on__lte=F("young_person__ecm_start_date")
    )
    assert decided.values("young_person").distinct().count() == started.count()
    overridden = decided.filter(eligibility_override__isnull=False)
    assert overridden.exists()
    assert not overridden.filter(eligibility_override__reason="").exists()


def test_the_demo_report_shows_fidelity_figures_that_mean_something(db, settings):
    """Every element of the model, eligibility included, is present for some cohort cases and
    missing for others, so the fidelity section has something to say."""
    import json

    from reports.models import FileKind, ReportRun

    settings.DEBUG = True
    call_command("seed_demo")
    run = ReportRun.objects.get()
    with run.files.get(kind=FileKind.JSON).file.open("rb") as stored:
        measures = json.load(stored)["measures"]
    cohort = measures["cohort_size"]
    fidelity = {
        key: value
        for key, value in measures.items()
        if key.startswith("fidelity_") and not key.startswith("fidelity_practitioner_trained")
    }
    assert len(fidelity) == 7  # the six elements and "every element"
    assert all(0 < value <= cohort for value in fidelity.values()), fidelity
    assert 0 < measures["eligible"] <= measures["referrals"]
    assert measures["fidelity_all"] < cohort


def test_the_demo_report_names_things_rather_than_showing_their_codes(db, settings):
    """What an evaluator reads (the web page's HTML, the spreadsheet) names needs, agencies,
    reasons and teams; the codes stay in the JSON and the id columns only."""
    import io
    import re

    import openpyxl
    from django.utils.html import strip_tags

    from reports.models import FileKind, ReportRun

    settings.DEBUG = True
    call_command("seed_demo")
    run = ReportRun.objects.get()
    with run.files.get(kind=FileKind.HTML).file.open("rb") as stored:
        text = strip_tags(stored.read().decode())
    codes = ["send_aln", "childrens_services", "substance_misuse", "blaenau-gwent-caerphilly"]
    codes += ["relationship_with_worker", "not_recorded", "trm_stage_work"]
    assert not [code for code in codes if code in text]
    with run.files.get(kind=FileKind.XLSX).file.open("rb") as stored:
        book = openpyxl.load_workbook(io.BytesIO(stored.read()))
    code = re.compile(r"^[a-z0-9]+([_-][a-z0-9]+)+$")
    for sheet in book:
        headings = [cell.value for cell in sheet[1]]
        for row in sheet.iter_rows(min_row=1):
            for heading, cell in zip(headings, row, strict=True):
                if heading in ("Measure id", "Category code"):
                    continue
                assert not (isinstance(cell.value, str) and code.match(cell.value)), (
                    sheet.title,
                    cell.coordinate,
                    cell.value,
                )


def test_the_demo_report_shows_training_and_cost(db, settings):
    import json

    from accounts.models import DedicatedRole, TrainingAttendance, UnitCost
    from reports.models import FileKind, ReportRun

    settings.DEBUG = True
    call_command("seed_demo")
    counts = [model.objects.count() for model in (TrainingAttendance, DedicatedRole, UnitCost)]
    call_command("seed_demo")
    assert [model.objects.count() for model in (TrainingAttendance, DedicatedRole, UnitCost)] == (
        counts
    )
    assert min(counts) > 0
    run = ReportRun.objects.get(requested_by__username="evaluator")
    measures = json.loads(run.files.get(kind=FileKind.JSON).file.read())["measures"]
    # Some practitioners were trained before their first ECM case and some were not.
    assert 0 < measures["practitioners_trained_rate"] < 1
    assert 0 < measures["fidelity_practitioner_trained_rate"] < 1
    assert measures["unit_costs_in_force"]["practitioner:2025-04-01"] == 38.5
    assert measures["cost_per_case"] > 0
    assert measures["psychology_hours_per_case"] > 0
    assert measures["psychology_hours_by_month"]


def test_the_demo_report_compares_the_ecm_cohort_with_matched_referrals(db, settings):
    """The demo has eligible referrals who did not start ECM, followed up for long enough and
    resembling cohort members, so the comparison shows matched groups and figures rather
    than "too few"."""
    from cases.models import YoungPerson
    from cases.selectors import caseload_of
    from reports.models import FileKind, ReportRun
    from work.models import Notification

    settings.DEBUG = True
    call_command("seed_demo")
    not_started = YoungPerson.objects.filter(
        reference__startswith="DEMO-C", ecm_start_date__isnull=True
    )
    assert not_started.count() == 10
    # Unallocated, not archived: on no one's caseload, so no reminders, yet in the comparison.
    assert not not_started.filter(practitioner__isnull=False).exists()
    assert not not_started.filter(archived_at__isnull=False).exists()
    assert not Notification.objects.filter(young_person__in=not_started).exists()
    assert not caseload_of(User.objects.get(username="practitioner")).filter(
        reference__startswith="DEMO-C"
    )
    call_command("seed_demo")
    assert YoungPerson.objects.filter(reference__startswith="DEMO-C").count() == 10
    run = ReportRun.objects.get(requested_by__username="evaluator")
    with run.files.get(kind=FileKind.JSON).file.open("rb") as stored:
        comparison = json.load(stored)["comparison"]
    assert comparison["status"] == "shown", comparison
    assert comparison["groups"]["ecm"]["matched"] >= 2
    assert comparison["groups"]["comparison"]["matched"] >= 2
    assert [row["outcome"] for row in comparison["estimates"]] == [
        "offences",
        "gravity",
        "breaches",
    ]
    for row in comparison["estimates"]:
        assert all(isinstance(row[key], float) for key in ("estimate", "low", "high")), row
        assert row["low"] <= row["estimate"] <= row["high"], row


@pytest.mark.django_db
def test_the_demo_has_a_retention_review_with_cases_due_and_one_on_hold(settings):
    """The administrator's retention review lists the demo's cases closed long ago; the one on
    legal hold is not among them (issue 17)."""
    from governance.models import LegalHold, RetentionReview

    settings.DEBUG = True
    call_command("seed_demo")

    review = RetentionReview.objects.get(status="pending")
    assert {item.young_person.reference for item in review.items.all()} == {
        "DEMO-R01",
        "DEMO-R03",
    }
    assert LegalHold.objects.get(released_at__isnull=True).young_person.reference == "DEMO-R02"
