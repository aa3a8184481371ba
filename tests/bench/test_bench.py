"""The benchmark machinery (bench/), on a tiny dataset: the baseline views read the same rows as
the pages they stand for, and the runner measures and renders its table.

The figures themselves come from `make bench` on PostgreSQL at scale; nothing here is timed.
"""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from bench import run
from cases.models import YoungPerson
from reports.exchange.importer import import_exchange
from reports.exchange.source import from_path
from reports.measures import REGISTRY
from seed import factories
from seed.factories import TeamFactory, user_with_role
from supervision import services as supervision_services
from tests.cases import test_caseload_pages, test_young_person_pages
from tests.conftest import client_for
from tests.ecm import test_home
from tests.formulation import test_distance
from tests.governance import test_pages as test_governance_pages
from tests.supervision import test_oversight
from tests.work import test_reminders, test_tasks

pytestmark = pytest.mark.urls("bench.urls")

REPORT_REQUEST_BUDGET = run.BUDGETS["reports:run-create"]
#: Issue 15's forms, the same with 1 and with 50 rows (decisions on the case, supervision
#: sessions that discussed it).
COMPLIANCE_DECISION_BUDGET = run.BUDGETS["cases:compliancedecision-edit"]
AGREEMENT_BUDGET = run.BUDGETS["cases:compliancedecision-agree"]
OVERSIGHT_FORM_BUDGET = run.BUDGETS["supervision:oversight-create"]


def case(practitioner, team, **fields):
    return factories.YoungPersonFactory(
        team=team,
        practitioner=practitioner,
        ecm_start_date=timezone.localdate() - timedelta(days=30),
        **fields,
    )


@pytest.fixture
def caseload(practitioner, team_a):
    people = [case(practitioner, team_a, family_name=name) for name in ("Ward", "Bevan", "Rees")]
    for person in people:
        factories.AppointmentFactory(young_person=person, recorded_by=practitioner)
        factories.AppointmentFactory(
            young_person=person,
            starts_at=timezone.now() + timedelta(days=2),
            attendance="",
            engagement=None,
        )
    case(practitioner, team_a, family_name="Archived", archived_at=timezone.now())
    case(None, team_a, family_name="Unallocated")
    return people


def page_pks(response):
    return [row.pk for row in response.context["rows"]]


def baseline_pks(response):
    return [row["pk"] for row in response.context["rows"]]


def test_budgets_are_the_ones_the_page_tests_assert():
    assert run.BUDGETS["cases:caseload"] == test_caseload_pages.CASELOAD_BUDGET
    assert run.BUDGETS["cases:team-detail"] == test_caseload_pages.TEAM_DETAIL_BUDGET
    assert run.BUDGETS["cases:youngperson-detail"] == test_young_person_pages.DETAIL_BUDGET
    assert run.BUDGETS["work:task-list"] == test_tasks.TASKS_BUDGET
    assert run.BUDGETS["work:notification-list"] == test_reminders.NOTIFICATIONS_BUDGET
    assert run.BUDGETS["home:practitioner"] == test_home.PRACTITIONER_BUDGET
    assert run.BUDGETS["home:manager"] == test_home.MANAGER_BUDGET
    assert run.BUDGETS["supervision:oversight-history"] == test_oversight.HISTORY_BUDGET
    assert run.BUDGETS["formulation:distance-edit"] == test_distance.DISTANCE_PAGE_BUDGET
    assert run.BUDGETS["governance:retentionreview-list"] == test_governance_pages.REVIEW_BUDGET


def test_caseload_baseline_lists_the_same_young_people_as_the_page(practitioner, caseload):
    client = client_for(practitioner)

    page = client.get(reverse("cases:caseload"))
    baseline = client.get(reverse("bench:caseload"))

    assert baseline.status_code == 200
    assert baseline_pks(baseline) == page_pks(page)
    assert set(page_pks(page)) == {person.pk for person in caseload}


def test_team_baseline_lists_the_same_first_page_of_cases_as_the_team_view(
    manager, practitioner, team_a, caseload
):
    for number in range(30):  # more than one page of 25
        case(practitioner, team_a, family_name=f"Extra{number:02d}")
    client = client_for(manager)

    page = client.get(reverse("cases:team-detail", args=[team_a.code]))
    baseline = client.get(reverse("bench:team-detail", args=[team_a.code]))

    assert len(page_pks(page)) == 25
    assert baseline_pks(baseline) == page_pks(page)
    assert baseline.context["total"] == page.context["page"].paginator.count


def test_record_baseline_reads_the_same_rows_as_each_section_of_the_record_page(
    practitioner, caseload
):
    person = caseload[0]
    for days in range(1, 15):
        factories.AppointmentFactory(
            young_person=person, starts_at=timezone.now() - timedelta(days=days, hours=1)
        )
    factories.NeedFactory(young_person=person)
    factories.OffenceFactory(young_person=person)
    factories.ConsentFactory(young_person=person)
    factories.TRMAssessmentFactory(young_person=person)
    client = client_for(practitioner)

    page = client.get(reverse("cases:youngperson-detail", args=[person.pk]))
    baseline = client.get(reverse("bench:youngperson-detail", args=[person.pk]))

    sections = baseline.context["sections"]
    for section, key in (
        ("appointments", "appointments"),
        ("needs", "needs"),
        ("offences", "offences"),
        ("orders", "orders"),
        ("custody", "custody_episodes"),
    ):
        assert [row["pk"] for row in sections[section]] == [
            item.pk for item in page.context[key]
        ], section
    assert len(sections["appointments"]) == 10
    assert [row["pk"] for row in sections["assessments"]] == [
        item.pk for item in page.context["trm_history"]
    ]
    assert len(baseline.context["timeline"]) == len(page.context["timeline"]) == 20
    assert baseline.context["young_person"]["pk"] == person.pk


def test_case_summary_baseline_reads_the_same_chronology_as_the_page(practitioner, caseload):
    person = caseload[0]
    for days in range(1, 60):
        factories.AppointmentFactory(
            young_person=person, starts_at=timezone.now() - timedelta(days=days, hours=1)
        )
    factories.NeedFactory(young_person=person)
    factories.OffenceFactory(young_person=person)
    client = client_for(practitioner)

    page = client.get(reverse("cases:youngperson-summary", args=[person.pk]))
    baseline = client.get(reverse("bench:youngperson-summary", args=[person.pk]))

    chronology = [(entry.kind, entry.record.pk) for entry in page.context["chronology"]]
    kinds = {
        "needs": "need",
        "offences": "offence",
        "orders": "order",
        "breaches": "breach",
        "custody": "custody",
        "consents": "consent",
        "assessments": "trm",
        "appointments": "appointment",
    }
    baseline_rows = [(kinds[name], row["pk"]) for _when, name, row in baseline.context["timeline"]]
    assert len(chronology) >= 61
    assert sorted(baseline_rows) == sorted(chronology)


def test_record_baseline_shows_a_young_person_never_seen(practitioner, team_a):
    person = case(practitioner, team_a)

    response = client_for(practitioner).get(reverse("bench:youngperson-detail", args=[person.pk]))

    assert response.status_code == 200
    assert response.context["young_person"]["reference"] == person.reference
    assert response.context["appointments"] == []


def test_record_baseline_is_scoped_to_the_users_teams(other_practitioner, caseload):
    response = client_for(other_practitioner).get(
        reverse("bench:youngperson-detail", args=[caseload[0].pk])
    )

    assert response.status_code == 404


def test_appointments_baseline_lists_the_same_appointments_as_the_page(practitioner, caseload):
    client = client_for(practitioner)

    page = client.get(reverse("cases:appointment-list"))
    baseline = client.get(reverse("bench:appointment-list"))

    for key in ("upcoming", "recent"):
        assert [item.pk for item in baseline.context[key]] == [
            item.pk for item in page.context[key]
        ]


def test_home_baseline_lists_the_same_appointments_today_as_the_page(practitioner, caseload):
    tonight = timezone.localtime().replace(hour=23, minute=59)
    for person in caseload:
        factories.AppointmentFactory(
            young_person=person, starts_at=tonight, attendance="", engagement=None
        )
    client = client_for(practitioner)

    page = client.get(reverse("home"))
    baseline = client.get(reverse("bench:home-practitioner"))

    (section,) = page.context["sections"]
    expected = [item.pk for item in section.data["appointments_today"]]
    assert len(expected) == 3
    assert [item.pk for item in baseline.context["appointments"]] == expected


def test_home_baseline_counts_the_open_cases_the_page_counts_warnings_over(
    manager, practitioner, team_a, caseload
):
    baseline = client_for(manager).get(reverse("bench:home-manager"))

    assert [(row["team__code"], row["n"]) for row in baseline.context["counts"]] == [
        (team_a.code, 4)
    ]


def overdue_actions(practitioner, people, days_late=(3, 9)):
    for person, late in zip(people, days_late * len(people), strict=False):
        meeting = factories.FormulationMeetingFactory(young_person=person)
        factories.AgreedActionFactory(
            formulation=factories.FormulationFactory(meeting=meeting),
            assignee=practitioner,
            owner="",
            due_on=timezone.localdate() - timedelta(days=late),
        )


def test_home_baseline_lists_the_practitioners_tasks_and_counts(practitioner, caseload):
    overdue_actions(practitioner, caseload)
    client = client_for(practitioner)

    page = client.get(reverse("home"))
    baseline = client.get(reverse("bench:home-practitioner"))

    (section,) = page.context["sections"]
    assert len(baseline.context["tasks"]) == section.data["tasks_total"] == 3
    assert baseline.context["appointment_counts"]["week"] == 3
    assert baseline.context["counts"][0]["n"] == len(caseload)


def test_home_baseline_counts_the_teams_overdue_tasks_as_the_page(manager, practitioner, caseload):
    overdue_actions(practitioner, caseload * 3)
    client = client_for(manager)

    page = client.get(reverse("home"))
    baseline = client.get(reverse("bench:home-manager"))

    (section,) = page.context["sections"]
    assert baseline.context["tasks_total"] == section.data["team_tasks_total"] == 9
    assert [row[1] for row in baseline.context["tasks"]][:5] == [
        task.due_on for task in section.data["team_tasks"]
    ]


def test_the_benchmarked_practitioner_gets_one_page_of_notifications_once(practitioner, caseload):
    run.ensure_notifications(practitioner)
    run.ensure_notifications(practitioner)
    client = client_for(practitioner)

    page = client.get(reverse("work:notification-list")).content.decode()
    baseline = client.get(reverse("bench:notification-list")).content.decode()

    assert practitioner.notifications.count() == run.NOTIFICATIONS
    person = caseload[0]
    for body in (page, baseline):
        assert body.count(f"{person.given_name} {person.family_name}") >= 1
    assert page.count("ecm-notification--unread") == run.NOTIFICATIONS
    assert baseline.count("<li>New ") == run.NOTIFICATIONS


def test_report_request_baseline_lists_the_same_teams_as_the_form(evaluator, team_a, team_b):
    client = client_for(evaluator)

    page = client.get(reverse("reports:run-create"))
    baseline = client.get(reverse("bench:run-create"))

    choices = [code for code, _name in page.context["form"].fields["teams"].choices]
    assert [team["code"] for team in baseline.context["teams"]] == choices


@pytest.mark.parametrize("count", [1, 50])
def test_report_request_query_budget(evaluator, count, django_assert_max_num_queries):
    for number in range(count):
        TeamFactory(code=f"team-{number:02d}", name=f"Team {number:02d}")
    client = client_for(evaluator)

    with django_assert_max_num_queries(REPORT_REQUEST_BUDGET):
        response = client.get(reverse("reports:run-create"))

    assert response.status_code == 200


def test_runner_measures_every_key_page_and_the_report_and_renders_a_table(
    manager, practitioner, psychologist, team_a, caseload
):
    missed_appointment(caseload[1])
    factories.FormulationFactory(
        meeting=factories.FormulationMeetingFactory(young_person=caseload[2], chair=psychologist)
    )
    subjects = run.choose_subjects(team_size=5)
    results = run.Results(warmups=1, repeats=3, facts=run.machine_facts())

    results.pages = run.measure_pages(
        run.key_pages(subjects), warmups=1, repeats=3, say=lambda text: None
    )
    results.floor = run.measure_floor(runs=1, say=lambda text: None)
    results.report = run.measure_report(run.whole_scope(), runs=1, say=lambda text: None)
    results.suppression = run.measure_suppression(
        run.whole_scope(), results.report[0].seconds, say=lambda text: None
    )
    table = run.render(results)

    assert [result.page.label for result in results.pages] == [
        "My caseload",
        "Team view (manager)",
        "Team view, largest team",
        "Young person's record",
        "My tasks",
        "Notifications",
        "Case summary and chronology",
        "Report request",
        "Home (practitioner)",
        "Home (manager)",
        "Compliance decision",
        "Manager's agreement",
        "Management oversight form",
        "Management oversight history",
        "Distance travelled",
        "Retention review (administrator)",
    ]
    for result in results.pages:
        assert len(result.timing.samples_ms) == len(result.baseline.samples_ms) == 3
        assert result.queries <= result.page.budget
        assert f"| {result.page.label} |" in table
    assert results.report[0].statements > 0
    assert results.report[0].sql_seconds > 0
    assert "| compute_all (" in table
    assert "| retention due list over every young person (nightly job) |" in table
    assert results.floor.tables == 15
    # The floor reads every row of every input table.
    assert results.floor.rows == sum(model.objects.count() for model, _ in run.input_tables())
    assert results.floor.rows > 0
    assert "The floor: reading every input table once (15 tables" in table
    assert (
        f"compute_all ({len(REGISTRY)} measures), targets and comparison, as JSON: within 5× "
        "reading its input tables once" in table
    )
    assert "dataset_rows (case-level dataset): within 3× reading its input tables once" in table
    assert results.suppression.counts > 0
    assert "## Small-number suppression of that report" in table
    assert "## Targets" in table


def test_runner_chooses_the_largest_caseload_and_the_team_nearest_the_size(
    practitioner, manager, team_a, team_b, caseload
):
    rhian = user_with_role(Role.PRACTITIONER, team_b, username="rhian")
    user_with_role(Role.MANAGER, team_b, username="bryn")
    case(rhian, team_b)

    subjects = run.choose_subjects(team_size=1)

    assert subjects.practitioner == practitioner
    assert subjects.team == team_b
    assert subjects.largest_team == team_a  # the caseload fixture's cases
    assert subjects.largest_team_manager == manager
    assert subjects.young_person.team == team_b
    assert subjects.record_practitioner == rhian
    assert subjects.evaluator.username == run.EVALUATOR_USERNAME


def test_exported_slice_is_a_valid_exchange(tmp_path, practitioner, caseload):
    counts = run.export_slice(tmp_path, [person.pk for person in caseload])

    result = import_exchange(from_path(str(tmp_path)), dry_run=True)

    assert counts["young_people.csv"] == len(caseload)
    assert result.ok, result.problems


def test_refuses_a_database_with_too_few_young_people(caseload):
    with pytest.raises(SystemExit) as refused:
        run.refuse_small_database(run.MIN_YOUNG_PEOPLE)

    assert "seed_scale" in str(refused.value)


def test_refuses_a_database_missing_a_migration(db):
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    run.refuse_unmigrated_database()  # fully migrated: nothing to say
    applied = MigrationRecorder(connection).migration_qs.filter(app="governance")
    latest = applied.order_by("-name").first()
    latest.delete()

    with pytest.raises(SystemExit) as refused:
        run.refuse_unmigrated_database()

    assert f"governance.{latest.name}" in str(refused.value)
    assert "manage.py migrate" in str(refused.value)


def test_a_missed_target_is_marked_in_the_table(practitioner):
    page = run.Page("Slow page", "/slow/", "/fast/", practitioner, budget=5)
    results = run.Results(
        pages=[
            run.PageResult(
                page=page,
                timing=run.Timing((200.0, 210.0)),
                baseline=run.Timing((10.0, 10.0)),
                queries=6,
                baseline_queries=3,
            )
        ]
    )

    table = run.render(results)

    assert "| Slow page: p95 under 150 ms | 210.0 ms | **no** |" in table
    assert (
        "| Slow page: queries within the budget tested with 1 and 50 rows | 6 of 5 | **no** |"
        in table
    )


def test_trial_child_times_each_kind_of_report_through_to_its_stored_files(
    settings, tmp_path, practitioner, caseload
):
    settings.MEDIA_ROOT = tmp_path / "files"
    output = tmp_path / "trial.json"

    run.trial_child(str(output), runs=2)

    figures = json.loads(output.read_text())
    assert figures["young_people"] == YoungPerson.objects.count() >= len(caseload)
    assert set(figures["runs"]) == {
        "Evaluation report (JSON, CSV, XLSX, HTML and PDF)",
        "Case-level dataset (CSV, XLSX, dictionary, manifest)",
    }
    assert all(len(seconds) == 2 and min(seconds) > 0 for seconds in figures["runs"].values())
    # Each request ran to the end: every file of each run is stored.
    stored = {path.suffix for path in (tmp_path / "files").rglob("*") if path.is_file()}
    assert {".json", ".csv", ".xlsx", ".html", ".pdf"} <= stored


def test_the_trial_figure_and_its_target_are_in_the_table():
    results = run.Results(
        trial=[
            run.TrialFigure("Evaluation report", 150, (1.5, 1.25, 2.5)),
            run.TrialFigure("Case-level dataset", 150, (2.5, 2.25, 0.1)),
        ]
    )

    table = run.render(results)

    assert "| Evaluation report | 150 | 1.50 | 2.50 | 3 |" in table
    assert (
        "| Evaluation report at the trial's size: under 2 s from request to files (median) "
        "| 1.50 s (slowest 2.50 s) | yes |" in table
    )
    assert (
        "| Case-level dataset at the trial's size: under 2 s from request to files (median) "
        "| 2.25 s (slowest 2.50 s) | **no** |" in table
    )


# --- Issue 15's pages ---------------------------------------------------------------------------


def missed_appointment(person, days=3):
    return factories.AppointmentFactory(
        young_person=person,
        starts_at=timezone.now() - timedelta(days=days),
        attendance="did_not_attend",
        engagement=None,
        outcome="",
    )


def test_the_bench_decides_one_missed_appointment_and_records_a_page_of_oversight_once(
    manager, caseload
):
    person = caseload[0]
    missed_appointment(person)

    first = run.ensure_compliance_decision(person, manager)
    again = run.ensure_compliance_decision(person, manager)
    run.ensure_oversight(person, manager)
    run.ensure_oversight(person, manager)

    assert first == again
    assert person.oversight_entries.count() == run.OVERSIGHT_ENTRIES


@pytest.mark.parametrize("count", [1, 50])
def test_compliance_decision_form_query_budget(
    practitioner, caseload, count, django_assert_max_num_queries
):
    person = caseload[0]
    decisions = [
        factories.ComplianceDecisionFactory(
            young_person=person, appointment=missed_appointment(person, days=number + 2)
        )
        for number in range(count)
    ]
    url = reverse("cases:compliancedecision-edit", args=[person.pk, decisions[-1].appointment_id])
    client = client_for(practitioner)

    with django_assert_max_num_queries(COMPLIANCE_DECISION_BUDGET):
        response = client.get(url)

    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 50])
def test_agreement_form_query_budget(manager, caseload, count, django_assert_max_num_queries):
    person = caseload[0]
    decisions = [
        factories.ComplianceDecisionFactory(
            young_person=person, appointment=missed_appointment(person, days=number + 2)
        )
        for number in range(count)
    ]
    client = client_for(manager)

    with django_assert_max_num_queries(AGREEMENT_BUDGET):
        response = client.get(
            reverse("cases:compliancedecision-agree", args=[person.pk, decisions[-1].pk])
        )

    assert response.status_code == 200


def sessions_discussing(person, psychologist, count):
    return [
        supervision_services.session_record(
            by=psychologist,
            practitioner=person.practitioner,
            held_on=timezone.localdate() - timedelta(days=number + 1),
            cases=[person],
        )
        for number in range(count)
    ]


@pytest.mark.parametrize("count", [1, 50])
def test_oversight_form_query_budget(
    manager, psychologist, caseload, count, django_assert_max_num_queries
):
    person = caseload[0]
    sessions_discussing(person, psychologist, count)
    for number in range(count):
        factories.AgencyFactory()
        user_with_role(Role.PRACTITIONER, person.team, username=f"staff-{number}")
    client = client_for(manager)

    with django_assert_max_num_queries(OVERSIGHT_FORM_BUDGET):
        response = client.get(reverse("supervision:oversight-create", args=[person.pk]))

    assert response.status_code == 200


def test_compliance_baselines_read_the_same_decision_as_the_pages(practitioner, manager, caseload):
    person = caseload[0]
    decision = factories.ComplianceDecisionFactory(
        young_person=person, appointment=missed_appointment(person)
    )
    form = [person.pk, decision.appointment_id]
    agreement = [person.pk, decision.pk]

    page = client_for(practitioner).get(reverse("cases:compliancedecision-edit", args=form))
    baseline = client_for(practitioner).get(reverse("bench:compliancedecision-edit", args=form))
    agree_page = client_for(manager).get(reverse("cases:compliancedecision-agree", args=agreement))
    agree_baseline = client_for(manager).get(
        reverse("bench:compliancedecision-agree", args=agreement)
    )

    facts = dict(baseline.context["facts"])
    assert facts["Decision"]["pk"] == page.context["current"].pk
    assert baseline.context["choices"]["rows"][0]["pk"] == page.context["appointment"].pk
    assert (
        dict(agree_baseline.context["facts"])["Decision"]["pk"] == agree_page.context["decision"].pk
    )


def test_compliance_baselines_are_scoped_to_the_users_teams(other_practitioner, caseload):
    decision = factories.ComplianceDecisionFactory(
        young_person=caseload[0], appointment=missed_appointment(caseload[0])
    )
    url = reverse("bench:compliancedecision-edit", args=[caseload[0].pk, decision.appointment_id])

    assert client_for(other_practitioner).get(url).status_code == 404


def test_oversight_form_baseline_offers_the_same_choices_as_the_form(
    manager, psychologist, caseload
):
    person = caseload[0]
    sessions_discussing(person, psychologist, 3)
    factories.AgencyFactory()
    url = [person.pk]

    page = client_for(manager).get(reverse("supervision:oversight-create", args=url))
    baseline = client_for(manager).get(reverse("bench:oversight-create", args=url))

    form = page.context["form"]
    choices = baseline.context["choices"]
    assert [row[0] for row in choices["responds_to"]] == [
        session.pk for session in form.fields["responds_to"].queryset
    ]
    assert [row[0] for row in choices["assignee"]] == [
        user.pk for user in form.fields["action_1_assignee"].queryset
    ]
    assert [row[0] for row in choices["agency"]] == [
        agency.pk for agency in form.fields["action_1_agency"].queryset
    ]


def test_oversight_history_baseline_reads_the_same_first_page_as_the_page(
    manager, practitioner, caseload
):
    person = caseload[0]
    run.ensure_oversight(person, manager)
    for number in range(5):  # more than one page
        supervision_services.oversight_record(
            by=manager,
            young_person=person,
            reviewed_on=timezone.localdate() - timedelta(days=number),
            reviewed="More",
            decision="Carry on",
        )
    client = client_for(practitioner)

    page = client.get(reverse("supervision:oversight-history", args=[person.pk]))
    baseline = client.get(reverse("bench:oversight-history", args=[person.pk]))

    assert [row["pk"] for row in baseline.context["rows"]] == [
        entry.pk for entry in page.context["entries"]
    ]
    assert baseline.context["total"] == page.context["page"].paginator.count == 30
    assert len(baseline.context["actions"]) == sum(
        len(entry.actions.all()) for entry in page.context["entries"]
    )


def test_distance_baseline_reads_the_same_domains_as_the_page(practitioner, psychologist, caseload):
    meeting = factories.FormulationMeetingFactory(young_person=caseload[0], chair=psychologist)
    factories.FormulationFactory(meeting=meeting)
    client = client_for(practitioner)

    page = client.get(reverse("formulation:distance-edit", args=[meeting.pk]))
    baseline = client.get(reverse("bench:distance-edit", args=[meeting.pk]))

    assert page.status_code == baseline.status_code == 200
    assert run.formulation_meeting(caseload[0]) == meeting
    assert [pk for pk, _name in baseline.context["choices"]["rows"]] == [
        domain.pk for domain in page.context["form"].domains
    ]
