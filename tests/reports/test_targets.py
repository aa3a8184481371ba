"""Issue 16, targets: administrators set them (with specific messages for bad ones), every
change is a new version, a report keeps the targets in force when it ran, and the report page
and the manager's team page show each value against its target in words."""

import json
import re
from datetime import date, timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from reports import exports, targets
from reports.models import FileKind, MeasureTarget
from reports.services.requests import report_request
from reports.tasks import run_report_task
from seed import factories
from tests.conftest import client_for
from tests.reports.test_measures import cohort  # noqa: F401 - the worked cohort fixture

PERIOD = {
    "date_from": date(2024, 1, 1),
    "date_to": date(2024, 12, 31),
    "as_of": date(2026, 6, 30),
    "follow_up_months": 12,
    "fidelity_window_days": 56,
}
#: The team page with no target in force reads them in one query; with targets in force it
#: works out the measures with targets (and what they read) as a report does, in a number of
#: queries that does not grow with the team (the budget test below holds it at 1 and at 50
#: young people). It was 52 on SQLite while the page worked out every measure. One of them
#: reads the transfers accepted after the period, once (reports.scope), instead of a
#: subquery on every row of every measure; another lists the young people whose stored
#: appointment facts do not cover the as-of date (reports.facts), once.
TEAM_PAGE_WITH_TARGETS_BUDGET = 27  # 23 on SQLite; PostgreSQL adds its run settings and savepoints


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def quick_pdf(monkeypatch):
    monkeypatch.setattr(exports, "evaluation_pdf", lambda html: b"%PDF-1.7 stand-in")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def produced(by, **parameters):
    run = report_request(
        by=by, kind="evaluation", parameters={**PERIOD, **parameters}, enqueue=False
    )
    run_report_task.apply(args=(run.pk,))
    run.refresh_from_db()
    assert run.status == "succeeded", run.error_message
    return run


def document_of(run) -> dict:
    with run.files.get(kind=FileKind.JSON).file.open("rb") as stored:
        return json.loads(stored.read())


def target(by, **values):
    values = {
        "team": None,
        "period_start": None,
        "period_end": None,
        "direction": "higher",
        **values,
    }
    return targets.target_save(values=values, by=by)


def messages_of(error: ValidationError) -> dict:
    return {field: " ".join(texts) for field, texts in error.message_dict.items()}


# --- Setting targets ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"measure_id": "no_such_measure"}, "measure_id", "There is no measure “no_such_measure”"),
        ({"measure_id": "referrals_by_team"}, "measure_id", "There is no measure"),
        ({"measure_id": "attendance_rate", "value": Decimal("120")}, "value", "from 0 to 100"),
        ({"measure_id": "referrals", "value": Decimal("-1")}, "value", "cannot be below 0"),
        (
            {"period_start": date(2025, 6, 1), "period_end": date(2025, 1, 1)},
            "period_end",
            "must be the same as or after its start",
        ),
        ({"direction": "sideways"}, "direction", "higher or a lower value is better"),
    ],
)
def test_a_bad_target_is_refused_with_a_specific_message(administrator, values, field, message):
    with pytest.raises(ValidationError) as refused:
        target(administrator, **{"measure_id": "referrals", "value": Decimal("10"), **values})

    assert message in messages_of(refused.value)[field]
    assert not MeasureTarget.objects.exists()


def test_a_breakdown_cannot_have_a_target(administrator):
    with pytest.raises(ValidationError) as refused:
        target(administrator, measure_id="appointments_by_purpose", value=Decimal("1"))

    assert "is a breakdown, not a single number" in messages_of(refused.value)["measure_id"]


def test_two_targets_for_one_measure_and_team_cannot_overlap(administrator, team_a):
    target(administrator, measure_id="referrals", value=Decimal("10"), team=team_a)
    target(  # nationally, and for another period, it may
        administrator, measure_id="referrals", value=Decimal("10")
    )

    with pytest.raises(ValidationError) as refused:
        target(
            administrator,
            measure_id="referrals",
            value=Decimal("12"),
            team=team_a,
            period_start=date(2025, 1, 1),
        )

    assert (
        "There is already a target for this measure and Team A in force any period"
        in (messages_of(refused.value)["period_start"])
    )


def test_only_an_administrator_sets_targets(evaluator, manager):
    for user in (evaluator, manager):
        with pytest.raises(PermissionDenied):
            target(user, measure_id="referrals", value=Decimal("10"))


def test_changing_a_target_makes_its_next_version_and_keeps_the_earlier(administrator):
    first = target(administrator, measure_id="attendance_rate", value=Decimal("70"))

    changed = targets.target_save(values={"value": Decimal("80")}, by=administrator, existing=first)

    assert (changed.pk, changed.version, changed.value) == (first.pk, 2, Decimal("80"))
    history = list(changed.history.order_by("history_date"))
    assert [(row.version, row.value, row.history_user) for row in history] == [
        (1, Decimal("70"), administrator),
        (2, Decimal("80"), administrator),
    ]


# --- Each value against its target ---------------------------------------------------------------


def test_a_teams_own_target_replaces_the_national_one_for_that_team(administrator, team_a):
    team_a.code = "a"
    team_a.save()
    run_values = {"attendance_rate": 0.667}
    target(administrator, measure_id="attendance_rate", value=Decimal("70"))
    target(administrator, measure_id="attendance_rate", value=Decimal("60"), team=team_a)

    in_force = targets.targets_in_force(date(2024, 1, 1), date(2024, 12, 31), ["a", "b"])
    assessed = targets.evaluate(
        run_values, {"a": run_values, "b": {"attendance_rate": None}}, in_force
    )

    assert assessed["measures"]["attendance_rate"]["target_status"] == "not_met"
    assert assessed["measures"]["attendance_rate"]["target"] == {
        "value": 0.7,
        "direction": "higher",
        "scope": "national",
        "period_start": None,
        "period_end": None,
        "version": 1,
    }
    assert assessed["by_team"]["a"]["attendance_rate"]["target_status"] == "met"
    assert assessed["by_team"]["a"]["attendance_rate"]["target"]["scope"] == "a"
    assert assessed["by_team"]["b"]["attendance_rate"] == {
        "target": assessed["measures"]["attendance_rate"]["target"],
        "target_status": "no_value",
    }


@pytest.mark.parametrize(
    ("direction", "value", "status"),
    [
        ("lower", 3, "met"),
        ("lower", 4, "not_met"),
        ("higher", 3, "met"),
        ("higher", 2.9, "not_met"),
    ],
)
def test_the_direction_says_which_side_of_the_target_is_met(direction, value, status):
    entry = {"value": 3, "direction": direction}

    assert targets.target_status(value, entry) == status


def test_a_target_in_force_for_another_period_does_not_apply(administrator):
    target(
        administrator,
        measure_id="referrals",
        value=Decimal("10"),
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
    )

    assert targets.targets_in_force(date(2024, 1, 1), date(2024, 12, 31)) == {}
    assert list(targets.targets_in_force(date(2024, 6, 1), date(2025, 5, 31))) == [
        ("referrals", "national")
    ]


# --- A report keeps the targets it was made with ----------------------------------------------


def test_a_report_keeps_its_targets_when_a_target_changes_later(
    administrator,
    evaluator,
    cohort,  # noqa: F811
):
    rate = target(administrator, measure_id="attendance_rate", value=Decimal("70"))
    earlier = produced(evaluator)
    before = document_of(earlier)

    targets.target_save(values={"value": Decimal("60")}, by=administrator, existing=rate)
    later = produced(evaluator)

    assert document_of(earlier) == before
    assert before["targets"]["measures"]["attendance_rate"] == {
        "target": {
            "value": 0.7,
            "direction": "higher",
            "scope": "national",
            "period_start": None,
            "period_end": None,
            "version": 1,
        },
        "target_status": "not_met",
    }
    assert before["targets"]["measures"]["referrals"] == {
        "target": None,
        "target_status": "no_target",
    }
    assessed = document_of(later)["targets"]["measures"]["attendance_rate"]
    assert (assessed["target"]["version"], assessed["target_status"]) == (2, "met")
    page = client_for(evaluator).get(reverse("reports:run-detail", args=[earlier.pk]))
    assert "70.0% or more" in unescape(page.content.decode())


def test_an_output_reads_one_measures_target_and_status_from_the_document(
    administrator,
    evaluator,
    team_a,
    cohort,  # noqa: F811
):
    target(administrator, measure_id="attendance_rate", value=Decimal("60"), team=team_a)
    document = document_of(produced(evaluator))

    for_team = targets.assessment(document, "attendance_rate", "a")
    assert (for_team["target"]["value"], for_team["target_status"]) == (0.6, "met")
    assert targets.assessment(document, "attendance_rate")["target_status"] == "no_target"
    assert targets.assessment({"measures": {}}, "referrals") == {
        "target": None,
        "target_status": "no_target",
    }
    assert str(targets.STATUS_LABELS[for_team["target_status"]]) == "Met"
    assert targets.target_text("attendance_rate", for_team["target"]) == "60.0% or more"


def test_a_suppressed_figure_gets_no_status_that_would_give_it_away(
    administrator,
    evaluator,
    cohort,  # noqa: F811
):
    target(administrator, measure_id="referrals", value=Decimal("3"))

    document = document_of(produced(evaluator, suppression=True, suppression_threshold=10))

    assert document["measures"]["referrals"] != 5
    assert document["targets"]["measures"]["referrals"]["target_status"] == "no_value"


def test_the_report_page_shows_value_target_and_status_in_words(
    administrator,
    evaluator,
    team_b,
    cohort,  # noqa: F811
):
    target(administrator, measure_id="attendance_rate", value=Decimal("70"))
    target(
        administrator, measure_id="referrals", value=Decimal("3"), direction="lower", team=team_b
    )
    run = produced(evaluator)

    page = unescape(
        client_for(evaluator).get(reverse("reports:run-detail", args=[run.pk])).content.decode()
    )

    assert "Measures against targets" in page
    table = page[page.index('id="report-targets"') : page.index('id="report-measures"')]
    rows = [
        " ".join(row.split())
        for row in table.split('<tr class="govuk-table__row" data-measure=')[1:]
    ]
    texts = [_text(row) for row in rows]
    assert "Attendance rate All teams 66.7% 70.0% or more National target, version 1 Not met" in (
        texts
    )
    assert any(
        text.startswith("Attendance rate Team A") and text.endswith("Not met") for text in texts
    )
    assert any(
        "Referrals" in text and "2 3 or less" in text and text.endswith(" Met") for text in texts
    )
    assert any(text.startswith("Referrals All teams 5 No target") for text in texts)


def _text(html: str) -> str:
    """A table row's text, from the end of its opening tag to its end."""
    row = html.split(">", 1)[1].split("</tr>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", row).split())


def test_the_report_page_is_in_welsh_for_a_welsh_reader(administrator, evaluator, cohort):  # noqa: F811
    target(administrator, measure_id="attendance_rate", value=Decimal("70"))
    run = produced(evaluator)
    client = client_for(evaluator)

    with override("cy"):
        page = unescape(
            client.get(
                reverse("reports:run-detail", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="cy"
            ).content.decode()
        )

    assert "Mesurau yn erbyn targedau" in page
    assert "Heb ei fodloni" in page
    assert "Targed cenedlaethol, fersiwn 1" in page


# --- The admin ------------------------------------------------------------------------------------


ADD_URL = reverse("admin:reports_measuretarget_add")


def test_an_administrator_sets_a_target_in_the_admin(administrator, team_a):
    response = client_for(administrator).post(
        ADD_URL,
        {"measure_id": "attendance_rate", "team": team_a.pk, "direction": "higher", "value": "75"},
    )

    assert response.status_code == 302, response.content.decode()
    saved = MeasureTarget.objects.get()
    assert (saved.measure_id, saved.team, saved.value, saved.version) == (
        "attendance_rate",
        team_a,
        Decimal("75"),
        1,
    )
    assert saved.history.get().history_user == administrator


def test_the_admin_says_what_is_wrong_with_a_target(administrator):
    response = client_for(administrator).post(
        ADD_URL,
        {
            "measure_id": "attendance_rate",
            "direction": "higher",
            "value": "175",
            "period_start": "2025-06-01",
            "period_end": "2025-01-01",
        },
    )

    page = unescape(response.content.decode())
    assert response.status_code == 200
    assert "is a percentage: enter a target from 0 to 100" in page
    assert "The end of the period must be the same as or after its start" in page
    assert not MeasureTarget.objects.exists()


def test_changing_a_target_in_the_admin_makes_a_new_version(administrator):
    saved = target(administrator, measure_id="referrals", value=Decimal("10"))

    response = client_for(administrator).post(
        reverse("admin:reports_measuretarget_change", args=[saved.pk]),
        {"measure_id": "referrals", "direction": "lower", "value": "8"},
    )

    assert response.status_code == 302
    saved.refresh_from_db()
    assert (saved.version, saved.direction, saved.value) == (2, "lower", Decimal("8"))


def test_nobody_but_an_administrator_opens_the_targets_admin(users_by_role):
    for role, user in users_by_role.items():
        status = client_for(user).get(ADD_URL).status_code
        assert status == (200 if role == "admin" else 403), role


# --- The manager's team page ---------------------------------------------------------------------


def referred_recently(team, count):
    today = timezone.localdate()
    for number in range(count):
        factories.YoungPersonFactory(
            team=team,
            referral_date=today - timedelta(days=10 + number % 30),
            ecm_start_date=today - timedelta(days=5),
        )


def team_page(user, team):
    return client_for(user).get(reverse("cases:team-detail", args=[team.code]))


def test_the_manager_sees_the_teams_key_measures_against_targets(
    administrator, manager, team_a, team_b
):
    referred_recently(team_a, 3)
    referred_recently(team_b, 9)
    target(administrator, measure_id="referrals", value=Decimal("5"))
    target(administrator, measure_id="cohort_size", value=Decimal("2"), team=team_a)

    page = unescape(team_page(manager, team_a).content.decode())

    panel = page[page.index('id="targets"') : page.index('id="cases"')]
    texts = [_text(row) for row in panel.split('<tr class="govuk-table__row" data-measure=')[1:]]
    assert texts == [
        "Referrals 3 5 or more National target, version 1 Not met",
        "Cohort size 3 2 or more Team A target, version 1 Met",
    ]


def test_the_team_page_shows_targets_in_welsh_for_a_welsh_reader(administrator, manager, team_a):
    referred_recently(team_a, 2)
    target(administrator, measure_id="referrals", value=Decimal("3"))

    with override("cy"):
        page = unescape(
            client_for(manager)
            .get(reverse("cases:team-detail", args=[team_a.code]), HTTP_ACCEPT_LANGUAGE="cy")
            .content.decode()
        )

    assert "Mesurau allweddol yn erbyn targedau" in page
    assert "3 neu fwy" in page
    assert "Targed cenedlaethol, fersiwn 1" in page
    assert "Heb ei fodloni" in page


def test_without_targets_the_team_page_says_none_are_set(manager, team_a):
    page = unescape(team_page(manager, team_a).content.decode())

    assert "No targets have been set for this team’s measures." in page


def test_only_the_teams_managers_see_its_targets(administrator, practitioner, psychologist, team_a):
    target(administrator, measure_id="referrals", value=Decimal("5"))

    for user in (practitioner, psychologist):
        page = team_page(user, team_a).content.decode()
        assert "Key measures against targets" not in page


@pytest.mark.parametrize("count", [1, 50])
def test_team_page_with_targets_query_budget(
    administrator, manager, team_a, count, django_assert_max_num_queries
):
    referred_recently(team_a, count)
    target(administrator, measure_id="referrals", value=Decimal("5"))
    target(administrator, measure_id="attendance_rate", value=Decimal("70"), team=team_a)
    client = client_for(manager)

    with django_assert_max_num_queries(TEAM_PAGE_WITH_TARGETS_BUDGET):
        response = client.get(reverse("cases:team-detail", args=[team_a.code]))

    page = unescape(response.content.decode())
    assert f"Referrals {count} 5 or more" in " ".join(re.sub(r"<[^>]+>", " ", page).split())


# --- The team page works out only the measures with targets -------------------------------------


def test_a_targeted_measure_brings_the_measures_it_reads():
    from reports.measures import with_requirements

    assert with_requirements(["referrals"]) == ["referrals"]
    assert with_requirements(["cost_per_case"]) == ["unit_costs_in_force", "cost_per_case"]
    assert with_requirements(["top_needs"]) == ["need_counts", "top_needs"]
    assert set(with_requirements(["practitioners_trained_rate"])) == {
        "practitioners_with_ecm_cases",
        "practitioners_trained_before_first_case",
        "practitioners_trained_rate",
    }


def test_each_measure_worked_out_alone_is_as_in_the_whole_report(db):
    """What the team page does for the measures with targets: each measure, worked out with
    only what it reads (the facts and the measures before it), gives what the whole report
    gives, on generated young people."""
    from reports.measures import REGISTRY, Scope, compute_all, with_requirements
    from seed import scale

    scale.generate(seed=3, teams=2, young_people=40, appointments_per_person=6)
    scope = Scope(date_from=date(2000, 1, 1), date_to=date(2030, 12, 31), as_of=date(2026, 12, 1))
    whole = compute_all(scope)
    assert whole["cohort_size"].overall > 0
    for measure_id in REGISTRY:
        alone = compute_all(scope, only=[measure_id])
        assert set(alone) == set(with_requirements([measure_id]))
        assert (measure_id, alone[measure_id]) == (measure_id, whole[measure_id])


def test_the_team_page_shows_targets_on_measures_worked_out_from_others(
    administrator, manager, practitioner, team_a
):
    from accounts.models import CostRole, UnitCost

    today = timezone.localdate()
    UnitCost.objects.create(
        role=CostRole.PRACTITIONER, hourly_cost=Decimal("50"), valid_from=date(2020, 1, 1)
    )
    for number in range(2):
        young_person = factories.YoungPersonFactory(
            team=team_a,
            practitioner=practitioner,
            referral_date=today - timedelta(days=20),
            ecm_start_date=today - timedelta(days=10),
        )
        factories.AppointmentFactory(
            young_person=young_person,
            starts_at=timezone.now() - timedelta(days=5 + number),
            duration_minutes=90,
            attendance="attended",
        )
    target(administrator, measure_id="cost_per_case", value=Decimal("100"), direction="lower")
    target(administrator, measure_id="practitioners_trained_rate", value=Decimal("50"))

    page = unescape(team_page(manager, team_a).content.decode())

    panel = page[page.index('id="targets"') : page.index('id="cases"')]
    texts = [_text(row) for row in panel.split('<tr class="govuk-table__row" data-measure=')[1:]]
    # 1.5 hours at £50 on each case; the practitioner was never trained.
    assert texts == [
        "Share of practitioners trained before their first ECM case 0.0% 50.0% or more "
        "National target, version 1 Not met",
        "Cost per case (£) 75 100 or less National target, version 1 Met",
    ]
