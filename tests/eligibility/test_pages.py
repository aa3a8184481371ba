"""The eligibility pages: decisions, the check, overrides, starting and ending ECM, the
managers' policy what-if and referral funnel, the record page's panel, and navigation."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import AccessLogEntry
from cases.models import YoungPerson
from eligibility import services
from eligibility.models import EligibilityDecision, EligibilityOverride
from eligibility.views import panel_context
from seed import factories
from tests.conftest import client_for

WHAT_IF = reverse("eligibility:what-if")
FUNNEL = reverse("eligibility:funnel")

#: Queries per page, whatever the number of rows (DESIGN.md section 9).
#: The evidence names need categories in the reader's language: one query for their names.
DECISION_LIST_BUDGET = 10
FUNNEL_BUDGET = 10
WHAT_IF_BUDGET = 16  # one INSERT: the access-log row of the list
PANEL_BUDGET = 4

NEED_CODES = ["substance_misuse", "mental_health", "neglect", "bereavement", "exploitation"]

HYPOTHESIS = hypothesis_settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def url(name, young_person):
    return reverse(name, kwargs={"pk": young_person.pk})


def override_url(decision):
    return reverse("eligibility:override-create", kwargs={"decision_pk": decision.pk})


def day(value: date) -> str:
    return date_format(value, "j F Y")


def text_of(response) -> str:
    """The page as a user reads it: tags removed, whitespace collapsed, entities decoded."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def table_rows(response, table_id) -> list[list[str]]:
    """The body rows of the table with this id, each as its cells' text."""
    html = response.content.decode()
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    assert table, f"no table #{table_id}"
    body = re.search(r"<tbody.*?</tbody>", table.group(0), re.S).group(0)
    rows = []
    for row in re.findall(r"<tr.*?</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append(
            [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", c))).strip() for c in cells]
        )
    return rows


def referral(team, when, *, offences=0, needs=0, order=True, **fields):
    """A young person referred on `when` with offences in the year before, needs and an order."""
    fields.setdefault("date_of_birth", date(2000, 1, 1))
    person = factories.YoungPersonFactory(team=team, referral_date=when, **fields)
    for index in range(offences):  # a month apart, in the year before the referral
        factories.OffenceFactory(
            young_person=person, committed_on=when - timedelta(days=30 * (index + 1))
        )
    for code in NEED_CODES[:needs]:
        factories.NeedFactory(
            young_person=person, category=factories.need_category(code), recorded_on=when
        )
    if order:
        factories.OrderFactory(young_person=person, start_date=when, end_date=None)
    return person


def give_consent(young_person):
    factories.ConsentFactory(young_person=young_person)
    factories.ConsentFactory(young_person=young_person, party="parent_carer")


@pytest.fixture
def few_offences(team_a, practitioner, default_policies):
    """Referred 1 March 2016 (ECM 2016 revised) with 2 offences, 4 needs and an order."""
    return referral(
        team_a,
        date(2016, 3, 1),
        offences=2,
        needs=4,
        practitioner=practitioner,
        given_name="Dylan",
        family_name="Morgan",
        reference="YP-DM",
    )


@pytest.fixture
def eligible_referral(team_a, practitioner, default_policies):
    """Meets ECM 2016 revised: 6 offences, 3 needs, an order; checked and eligible."""
    person = referral(team_a, date(2016, 3, 1), offences=6, needs=3, practitioner=practitioner)
    services.eligibility_check(by=practitioner, young_person=person)
    return person


@pytest.fixture
def on_ecm(eligible_referral):
    give_consent(eligible_referral)
    eligible_referral.ecm_start_date = date(2016, 3, 21)
    eligible_referral.save()
    return eligible_referral


# --- The journey ------------------------------------------------------------------------------


def test_check_then_override_then_start_ecm(few_offences, practitioner, manager):
    alice, mona = client_for(practitioner), client_for(manager)

    # Alice opens the check: it names the policy in force on the referral date and asks
    # about voluntary participation, which that policy accepts.
    page = text_of(alice.get(url("eligibility:decision-create", few_offences)))
    assert "ECM 2016 revised (version 1)" in page
    assert "policy in force on its referral date, 1 March 2016" in page
    assert "Is the young person taking part voluntarily (not on a statutory order)?" in page
    assert "accepts voluntary participation instead of a statutory order" in page

    # She runs it: not eligible, with the evidence for each criterion.
    response = alice.post(
        url("eligibility:decision-create", few_offences), {"voluntary_participation": "no"}
    )
    assert response.status_code == 302
    assert response["Location"] == url("eligibility:decision-list", few_offences)
    page = text_of(alice.get(response["Location"]))
    assert "Eligibility checked: not eligible" in page
    assert "Offences in the window before referral Not met 2 offences between 1 March 2014" in page
    assert "Need categories recorded by the referral date Met 4 need categories" in page
    assert "Current result Not eligible" in page
    decision = EligibilityDecision.objects.get(young_person=few_offences)
    assert not decision.eligible
    assert decision.made_by == practitioner
    assert not decision.voluntary_participation

    # Mona, the manager, sees an Override action on it and overrides with a reason.
    decisions = mona.get(url("eligibility:decision-list", few_offences)).content.decode()
    assert override_url(decision) in decisions
    response = mona.post(
        override_url(decision),
        {"eligible": "yes", "reason": "Offences in England are not recorded here"},
    )
    assert response.status_code == 302
    page = text_of(mona.get(response["Location"]))
    assert "Decision overridden: eligible" in page
    assert "Overridden by a manager: eligible" in page
    assert "Reason: Offences in England are not recorded here" in page
    assert f"By {manager.get_full_name()} on {day(timezone.localdate())}" in page
    assert "Current result Eligible Overridden by a manager The criteria said: not eligible." in (
        page
    )
    override = EligibilityOverride.objects.get(decision=decision)
    assert override.eligible
    assert override.made_by == manager

    # Alice tries to start ECM: consent is missing, and the page says so.
    page = text_of(alice.get(url("eligibility:start", few_offences)))
    assert "The young person's consent to take part is not currently given" in page
    assert "The latest eligibility decision" not in page

    # Once consent is recorded she starts ECM today.
    give_consent(few_offences)
    page = text_of(alice.get(url("eligibility:start", few_offences)))
    assert "ECM cannot start yet" not in page
    today = timezone.localdate()
    response = alice.post(url("eligibility:start", few_offences), {"start_date": today.isoformat()})
    assert response.status_code == 302
    page = text_of(alice.get(response["Location"]))
    assert f"ECM started on {day(today)}" in page
    assert f"On ECM since {day(today)}" in page
    few_offences.refresh_from_db()
    assert few_offences.ecm_start_date == today


# --- Decisions ---------------------------------------------------------------------------------


def test_decision_list_shows_every_decision_newest_first(few_offences, practitioner):
    first = services.eligibility_check(
        by=practitioner, young_person=few_offences, decided_on=date(2016, 3, 2)
    )
    for index in range(3):
        factories.OffenceFactory(young_person=few_offences, committed_on=date(2015, 6, 1 + index))
    second = services.eligibility_check(
        by=practitioner, young_person=few_offences, decided_on=date(2016, 3, 9)
    )

    response = client_for(practitioner).get(url("eligibility:decision-list", few_offences))

    html = response.content.decode()
    assert html.index(f'id="decision-{second.pk}"') < html.index(f'id="decision-{first.pk}"')
    page = text_of(response)
    assert "Decision of 9 March 2016 (latest)" in page
    assert "Decision of 2 March 2016" in page
    assert "5 offences between 1 March 2014 and 1 March 2016" in page
    assert "2 offences between 1 March 2014 and 1 March 2016" in page
    assert "Current result Eligible" in page


def test_decision_list_notes_a_decision_reconstructed_on_import(few_offences, practitioner):
    services.eligibility_check(
        by=None, young_person=few_offences, decided_on=date(2016, 3, 1), reconstructed=True
    )
    page = text_of(client_for(practitioner).get(url("eligibility:decision-list", few_offences)))
    assert "Reconstructed on import" in page
    assert "Checked by The service" in page


def test_decision_list_offers_actions_by_role(few_offences, practitioner, manager, psychologist):
    services.eligibility_check(by=practitioner, young_person=few_offences)
    as_practitioner = client_for(practitioner).get(url("eligibility:decision-list", few_offences))
    as_manager = client_for(manager).get(url("eligibility:decision-list", few_offences))
    as_psychologist = client_for(psychologist).get(url("eligibility:decision-list", few_offences))
    check, start = (
        url("eligibility:decision-create", few_offences),
        url("eligibility:start", few_offences),
    )
    decision = EligibilityDecision.objects.get()

    assert check in as_practitioner.content.decode()
    assert start in as_practitioner.content.decode()
    assert override_url(decision) not in as_practitioner.content.decode()
    assert override_url(decision) in as_manager.content.decode()
    for link in (check, start, override_url(decision)):
        assert link not in as_psychologist.content.decode()
    assert "Not eligible" in text_of(as_psychologist)


def test_decision_list_is_written_to_the_access_log(few_offences, practitioner):
    client_for(practitioner).get(url("eligibility:decision-list", few_offences))
    entry = AccessLogEntry.objects.get(action="eligibility.decisions")
    assert entry.user == practitioner
    assert entry.object_id == str(few_offences.pk)
    assert entry.allowed


def test_decision_list_says_when_there_is_no_decision(few_offences, practitioner):
    page = text_of(client_for(practitioner).get(url("eligibility:decision-list", few_offences)))
    assert "No eligibility check has been made yet." in page


@pytest.mark.parametrize("count", [1, 50])
def test_decision_list_query_budget(
    few_offences, practitioner, manager, count, django_assert_max_num_queries
):
    for index in range(count):
        decision = services.eligibility_check(by=practitioner, young_person=few_offences)
        if index % 2:
            services.eligibility_override(
                by=manager, decision=decision, eligible=True, reason=f"Reason {index}"
            )
    client = client_for(manager)
    with django_assert_max_num_queries(DECISION_LIST_BUDGET):
        response = client.get(url("eligibility:decision-list", few_offences))
    assert response.content.decode().count('class="govuk-summary-card"') == count


# --- The check ---------------------------------------------------------------------------------


def test_check_without_a_policy_in_force_says_so(team_a, practitioner, default_policies):
    person = referral(team_a, date(2014, 6, 1), offences=6, needs=3)

    page = text_of(client_for(practitioner).get(url("eligibility:decision-create", person)))
    assert "No active eligibility policy was in force on the referral date (1 June 2014)" in page
    assert "Run the check" not in page

    response = client_for(practitioner).post(url("eligibility:decision-create", person), {})
    assert response.status_code == 200
    assert "There is a problem" in text_of(response)
    assert "No active eligibility policy was in force on the referral date (2014-06-01)" in (
        text_of(response)
    )
    assert not EligibilityDecision.objects.exists()


def test_check_under_a_policy_without_voluntary_participation_asks_nothing(
    team_a, practitioner, default_policies
):
    person = referral(team_a, date(2015, 6, 1), offences=6, needs=3)
    check = url("eligibility:decision-create", person)

    page = text_of(client_for(practitioner).get(check))
    assert "ECM 2015 (version 1)" in page
    assert "taking part voluntarily" not in page
    assert "does not accept voluntary participation" in page

    response = client_for(practitioner).post(check, {})
    assert response.status_code == 302
    decision = EligibilityDecision.objects.get()
    assert decision.policy.name == "ECM 2015"
    assert decision.eligible


def test_check_asks_for_an_answer_about_voluntary_participation(few_offences, practitioner):
    response = client_for(practitioner).post(url("eligibility:decision-create", few_offences), {})
    assert response.status_code == 200
    assert "Select yes if the young person is taking part voluntarily" in text_of(response)
    assert not EligibilityDecision.objects.exists()


def test_voluntary_participation_is_recorded_and_counts(team_a, practitioner, default_policies):
    person = referral(team_a, date(2016, 3, 1), offences=6, needs=3, order=False)
    client = client_for(practitioner)
    response = client.post(
        url("eligibility:decision-create", person), {"voluntary_participation": "yes"}
    )
    page = text_of(client.get(response["Location"]))
    assert "Eligibility checked: eligible" in page
    assert "Voluntary participation" in page
    assert EligibilityDecision.objects.get().voluntary_participation


def test_archived_records_cannot_be_checked(few_offences, practitioner):
    few_offences.archived_at = timezone.now()
    few_offences.save()
    client = client_for(practitioner)
    response = client.post(
        url("eligibility:decision-create", few_offences), {"voluntary_participation": "no"}
    )
    assert response.status_code == 302
    page = text_of(client.get(response["Location"]))
    assert "This record is archived and can no longer be changed." in page
    assert not EligibilityDecision.objects.exists()


# --- Overrides ---------------------------------------------------------------------------------


def test_override_needs_a_reason(few_offences, practitioner, manager):
    decision = services.eligibility_check(by=practitioner, young_person=few_offences)
    response = client_for(manager).post(override_url(decision), {"eligible": "yes", "reason": " "})
    assert response.status_code == 200
    assert "Give the reason for overriding the decision" in text_of(response)
    assert not EligibilityOverride.objects.exists()


def test_override_needs_a_result(few_offences, practitioner, manager):
    decision = services.eligibility_check(by=practitioner, young_person=few_offences)
    response = client_for(manager).post(override_url(decision), {"reason": "Panel decision"})
    assert "Select eligible or not eligible" in text_of(response)
    assert not EligibilityOverride.objects.exists()


def test_an_overridden_decision_cannot_be_overridden_again(few_offences, practitioner, manager):
    decision = services.eligibility_check(by=practitioner, young_person=few_offences)
    services.eligibility_override(by=manager, decision=decision, eligible=True, reason="Panel")

    page = text_of(client_for(manager).get(override_url(decision)))
    assert "Overridden by a manager: eligible" in page
    assert "This decision has already been overridden" in page

    response = client_for(manager).post(override_url(decision), {"eligible": "no", "reason": "X"})
    assert response.status_code == 200
    assert "This decision has already been overridden" in text_of(response)
    assert EligibilityOverride.objects.get().eligible


def test_overriding_an_earlier_decision_warns_it_does_not_count(
    few_offences, practitioner, manager
):
    earlier = services.eligibility_check(by=practitioner, young_person=few_offences)
    services.eligibility_check(by=practitioner, young_person=few_offences)
    page = text_of(client_for(manager).get(override_url(earlier)))
    assert "This is not the latest decision" in page


def test_opening_an_override_is_logged_on_the_young_persons_case(
    few_offences, practitioner, manager
):
    decision = services.eligibility_check(by=practitioner, young_person=few_offences)
    client_for(manager).get(override_url(decision))
    client_for(practitioner).get(override_url(decision))

    entries = AccessLogEntry.objects.filter(
        action="eligibility.override", object_id=str(few_offences.pk)
    ).order_by("id")
    assert [(entry.user, entry.allowed) for entry in entries] == [
        (manager, True),
        (practitioner, True),  # found in the team...
        (practitioner, False),  # ...and refused: a practitioner does not override
    ]


def test_overriding_a_decision_that_does_not_exist_is_not_found(manager):
    response = client_for(manager).get(
        reverse("eligibility:override-create", kwargs={"decision_pk": 999999})
    )
    assert response.status_code == 404
    assert AccessLogEntry.objects.get(object_id="999999").allowed is False


def test_the_override_is_shown_wherever_the_decision_is(few_offences, practitioner, manager):
    decision = services.eligibility_check(by=practitioner, young_person=few_offences)
    services.eligibility_override(
        by=manager, decision=decision, eligible=True, reason="Known to the police in Bristol"
    )
    expected = [
        "Overridden by a manager: eligible",
        "Reason: Known to the police in Bristol",
        f"By {manager.get_full_name()} on {day(timezone.localdate())}",
    ]

    decision_list = text_of(
        client_for(practitioner).get(url("eligibility:decision-list", few_offences))
    )
    request = RequestFactory().get("/")
    request.user = practitioner
    panel = render_to_string("eligibility/panel.html", panel_context(request, few_offences))
    panel = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", panel)))

    for text in expected:
        assert text in decision_list
        assert text in panel


# --- Starting ECM ------------------------------------------------------------------------------


def test_start_lists_everything_missing_with_a_way_to_fix_each(few_offences, practitioner):
    response = client_for(practitioner).get(url("eligibility:start", few_offences))

    page = text_of(response)
    assert "ECM cannot start yet" in page
    assert "No eligibility check has been made: run one first – Run an eligibility check" in page
    assert (
        "The young person's consent to take part is not currently given – "
        "Record a consent decision" in page
    )
    assert (
        "The parent or carer's consent to take part is not currently given – "
        "Record a consent decision" in page
    )
    html = response.content.decode()
    assert url("eligibility:decision-create", few_offences) in html
    assert url("cases:consent-create", few_offences) in html
    assert 'name="start_date"' not in html


def test_recording_consent_from_start_comes_back_to_start(few_offences, practitioner):
    client = client_for(practitioner)
    html = client.get(url("eligibility:start", few_offences)).content.decode()
    consent_link = re.search(r'href="([^"]*/consent/new/[^"]*)"', html).group(1)
    start = url("eligibility:start", few_offences)
    assert unescape(consent_link) == (
        f"{url('cases:consent-create', few_offences)}?{urlencode({'next': start})}"
    )

    response = client.post(
        unescape(consent_link),
        {
            "young_person_participation": "given",
            "young_person_evaluation": "unchanged",
            "parent_carer_participation": "given",
            "parent_carer_evaluation": "unchanged",
            "decided_on": few_offences.referral_date.isoformat(),
            "note": "",
        },
    )

    assert response["Location"] == start
    assert "Record a consent decision" not in text_of(client.get(start))


def test_start_says_when_the_latest_decision_is_not_eligible(few_offences, practitioner):
    services.eligibility_check(
        by=practitioner, young_person=few_offences, decided_on=date(2016, 3, 2)
    )
    give_consent(few_offences)
    page = text_of(client_for(practitioner).get(url("eligibility:start", few_offences)))
    assert "The latest eligibility decision (2016-03-02) is not eligible" in page
    assert "consent" not in page.split("ECM cannot start yet")[1].split("ECM can start when")[0]


def test_start_is_not_offered_twice(on_ecm, practitioner):
    page = text_of(client_for(practitioner).get(url("eligibility:start", on_ecm)))
    assert "ECM has already started (2016-03-21)" in page


def test_start_refuses_a_date_in_the_future(eligible_referral, practitioner):
    give_consent(eligible_referral)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client_for(practitioner).post(
        url("eligibility:start", eligible_referral), {"start_date": tomorrow.isoformat()}
    )
    assert response.status_code == 200
    assert "Start date must be today or in the past" in text_of(response)
    eligible_referral.refresh_from_db()
    assert eligible_referral.ecm_start_date is None


def test_start_refuses_a_date_before_the_referral(eligible_referral, practitioner):
    give_consent(eligible_referral)
    response = client_for(practitioner).post(
        url("eligibility:start", eligible_referral), {"start_date": "2016-02-29"}
    )
    assert response.status_code == 200
    page = text_of(response)
    assert "ECM start date cannot be before the referral date" in page
    assert "Referred on 1 March 2016; ECM has not started" in page
    assert 'value="2016-02-29"' in response.content.decode()
    eligible_referral.refresh_from_db()
    assert eligible_referral.ecm_start_date is None


def test_start_refuses_a_date_that_is_not_a_date(eligible_referral, practitioner):
    give_consent(eligible_referral)
    response = client_for(practitioner).post(
        url("eligibility:start", eligible_referral), {"start_date": "31/02/2016"}
    )
    assert "ECM start date must be a real date" in text_of(response)


def test_start_offers_today_by_default(eligible_referral, practitioner):
    give_consent(eligible_referral)
    html = client_for(practitioner).get(url("eligibility:start", eligible_referral)).content
    assert f'value="{timezone.localdate().isoformat()}"' in html.decode()


# --- Ending ECM --------------------------------------------------------------------------------


def test_withdrawal_needs_the_young_persons_reasons(on_ecm, practitioner):
    end = url("eligibility:end", on_ecm)
    client = client_for(practitioner)
    page = text_of(client.get(end))
    assert "key question of the evaluation" in page

    response = client.post(
        end, {"end_date": "2016-08-01", "end_reason": "withdrawn", "young_persons_reasons": ""}
    )
    assert response.status_code == 200
    assert "Record the young person's reasons for withdrawing" in text_of(response)
    assert "Select the reason the young person gave for withdrawing" in text_of(response)
    on_ecm.refresh_from_db()
    assert on_ecm.ecm_end_date is None

    response = client.post(
        end,
        {
            "end_date": "2016-08-01",
            "end_reason": "withdrawn",
            "withdrawal_reason": str(factories.disengagement_reason("relationship_with_worker").pk),
            "young_persons_reasons": "Got a job and has no time",
        },
    )
    assert response.status_code == 302
    page = text_of(client.get(response["Location"]))
    assert "ECM ended on 1 August 2016: Withdrawn" in page
    on_ecm.refresh_from_db()
    assert on_ecm.ecm_end_date == date(2016, 8, 1)
    assert on_ecm.end_reason == "withdrawn"
    assert on_ecm.end_note == "Got a job and has no time"
    record = text_of(client.get(reverse("cases:youngperson-detail", kwargs={"pk": on_ecm.pk})))
    assert "Reason for withdrawing Relationship with the worker" in record
    assert "Got a job and has no time" in record


def test_completion_needs_no_reasons(on_ecm, practitioner):
    response = client_for(practitioner).post(
        url("eligibility:end", on_ecm), {"end_date": "2017-03-20", "end_reason": "completed"}
    )
    assert response.status_code == 302
    on_ecm.refresh_from_db()
    assert on_ecm.end_reason == "completed"


def test_end_refuses_a_date_before_the_start(on_ecm, practitioner):
    response = client_for(practitioner).post(
        url("eligibility:end", on_ecm), {"end_date": "2016-03-01", "end_reason": "completed"}
    )
    page = text_of(response)
    assert "End date must be the same as or after the start date" in page
    assert "On ECM since 21 March 2016" in page
    on_ecm.refresh_from_db()
    assert on_ecm.ecm_end_date is None


def test_end_needs_a_reason(on_ecm, practitioner):
    response = client_for(practitioner).post(
        url("eligibility:end", on_ecm), {"end_date": "2016-08-01", "end_reason": "bored"}
    )
    assert "Select why ECM ended" in text_of(response)


def test_end_before_start_says_ecm_has_not_started(few_offences, practitioner):
    page = text_of(client_for(practitioner).get(url("eligibility:end", few_offences)))
    assert "ECM has not started, so it cannot end." in page


# --- Policy what-if ----------------------------------------------------------------------------


@pytest.fixture
def what_if_cohort(team_a, team_b, practitioner, manager, default_policies):
    """Four referrals in team A in spring 2016 and one in team B."""
    eligible = referral(team_a, date(2016, 3, 1), offences=6, needs=3)
    services.eligibility_check(by=practitioner, young_person=eligible)
    # Too few offences now; the widened draft has no offence minimum: this one would change.
    changes = referral(
        team_a,
        date(2016, 3, 15),
        offences=1,
        needs=4,
        given_name="Nia",
        family_name="Price",
        reference="YP-NP",
    )
    services.eligibility_check(by=practitioner, young_person=changes)
    # Never checked: judged by the policy in force (1 need: not eligible either way).
    referral(team_a, date(2016, 4, 2), offences=6, needs=1)
    # Not eligible by the criteria, overridden to eligible; eligible under the draft too.
    overridden = referral(team_a, date(2016, 5, 1), offences=0, needs=3, order=False)
    decision = services.eligibility_check(by=practitioner, young_person=overridden)
    services.eligibility_override(by=manager, decision=decision, eligible=True, reason="Panel")
    # Another team's referral would change too, but is not this manager's to see.
    referral(team_b, date(2016, 3, 5), offences=0, needs=5, given_name="Other", family_name="Team")
    return {"changes": changes}


def what_if_query(policy, team="all", date_from="2016-01-01", date_to="2016-12-31"):
    return {"policy": policy.pk, "date_from": date_from, "date_to": date_to, "team": team}


def test_what_if_counts_and_lists_the_results_that_would_change(
    what_if_cohort, manager, default_policies
):
    response = client_for(manager).get(WHAT_IF, what_if_query(default_policies["Widened"]))

    assert table_rows(response, "what-if-summary") == [
        ["Referrals", "4"],
        ["Eligible now", "2"],
        ["Eligible under Widened", "3"],
        ["Results that would change", "1"],
    ]
    changed = what_if_cohort["changes"]
    assert table_rows(response, "what-if-changes") == [
        [
            "Nia Price",
            "YP-NP",
            "Team A",
            "15 March 2016",
            "Not eligible ECM 2016 revised (v1)",
            "Eligible",
        ]
    ]
    assert reverse("cases:youngperson-detail", kwargs={"pk": changed.pk}) in (
        response.content.decode()
    )
    assert "Other Team" not in text_of(response)


def test_what_if_keeps_to_the_period(what_if_cohort, manager, default_policies):
    response = client_for(manager).get(
        WHAT_IF, what_if_query(default_policies["Widened"], date_from="2016-04-01")
    )
    assert table_rows(response, "what-if-summary")[0] == ["Referrals", "2"]
    assert "No young person's result would change." in text_of(response)


def test_what_if_offers_drafts_first_and_chooses_one(manager, default_policies):
    response = client_for(manager).get(WHAT_IF)
    html = response.content.decode()
    options = re.findall(r"<option value=\"(\d+)\"", html)
    assert options[0] == str(default_policies["Widened"].pk)
    assert "Widened (v1) – Draft" in text_of(response)
    assert "Under Widened (version 1)" in text_of(response)


def test_what_if_refuses_a_period_that_ends_before_it_starts(manager, default_policies):
    response = client_for(manager).get(
        WHAT_IF,
        what_if_query(default_policies["Widened"], date_from="2016-06-01", date_to="2016-01-01"),
    )
    assert response.status_code == 200
    assert "Referred to must be the same as or after referred from" in text_of(response)
    assert 'id="what-if-summary"' not in response.content.decode()


def test_what_if_refuses_another_managers_team(manager, team_b, default_policies):
    response = client_for(manager).get(
        WHAT_IF, what_if_query(default_policies["Widened"], team=team_b.pk)
    )
    assert "Choose one of your teams" in text_of(response)


@pytest.mark.parametrize(
    "junk",
    [
        {"policy": "abc"},
        {"policy": "-1"},
        {"policy": "99999999999999999999"},
        {"team": "x"},
        {"date_from": "2016-13-45"},
        {"date_to": "yesterday"},
        {"date_from": "99999-01-01"},
        {"page": "-3"},
    ],
)
def test_what_if_junk_gets_a_page_not_an_error(manager, default_policies, junk):
    query = {**what_if_query(default_policies["Widened"]), **junk}
    assert client_for(manager).get(WHAT_IF, query).status_code == 200


@pytest.mark.parametrize("count", [1, 50])
def test_what_if_query_budget(
    team_a, practitioner, manager, default_policies, count, django_assert_max_num_queries
):
    for index in range(count):
        person = referral(team_a, date(2016, 3, 1) + timedelta(days=index), offences=1, needs=3)
        if index % 2:
            services.eligibility_check(by=practitioner, young_person=person)
    client = client_for(manager)
    with django_assert_max_num_queries(WHAT_IF_BUDGET):
        response = client.get(WHAT_IF, what_if_query(default_policies["Widened"]))
    assert len(table_rows(response, "what-if-changes")) == count


# --- Referral funnel ---------------------------------------------------------------------------


@pytest.fixture
def funnel_cohort(team_a, team_b, practitioner, manager, default_policies):
    eligible = referral(team_a, date(2016, 3, 1), offences=6, needs=3)
    services.eligibility_check(by=practitioner, young_person=eligible)
    factories.ConsentFactory(young_person=eligible)
    eligible.ecm_start_date = date(2016, 3, 21)
    eligible.save()
    not_eligible = referral(team_a, date(2016, 3, 15), offences=1, needs=4)
    services.eligibility_check(by=practitioner, young_person=not_eligible)
    overridden = referral(team_a, date(2016, 4, 2), offences=2, needs=1)
    decision = services.eligibility_check(by=practitioner, young_person=overridden)
    services.eligibility_override(by=manager, decision=decision, eligible=True, reason="Panel")
    factories.ConsentFactory(young_person=overridden)
    overridden.ecm_start_date = date(2016, 4, 12)
    overridden.ecm_end_date = date(2016, 8, 1)
    overridden.end_reason = "withdrawn"
    overridden.save()
    referral(team_b, date(2016, 3, 5), offences=5, needs=3)  # another manager's team


def funnel_query(team="all", date_from="2016-01-01", date_to="2016-12-31"):
    return {"date_from": date_from, "date_to": date_to, "team": team}


def test_funnel_counts_by_month_and_team_with_totals_and_median(funnel_cohort, manager):
    response = client_for(manager).get(FUNNEL, funnel_query())

    assert table_rows(response, "funnel") == [
        ["March 2016", "Team A", "2", "1", "1", "1", "0"],
        ["April 2016", "Team A", "1", "1", "1", "1", "1"],
        ["Total", "", "3", "2", "2", "2", "1"],
    ]
    # 20 and 10 days from referral to start.
    assert "Median days from referral to ECM start: 15" in text_of(response)


def test_funnel_filters_by_team(funnel_cohort, manager, team_a):
    response = client_for(manager).get(FUNNEL, funnel_query(team=team_a.pk))
    assert table_rows(response, "funnel")[-1] == ["Total", "", "3", "2", "2", "2", "1"]
    assert "Team A: referrals from 1 January 2016 to 31 December 2016" in text_of(response)


def test_funnel_says_when_nobody_has_started(team_a, manager, default_policies):
    referral(team_a, date(2016, 3, 1))
    response = client_for(manager).get(FUNNEL, funnel_query())
    assert "No young person has started yet." in text_of(response)
    assert table_rows(response, "funnel")[-1] == ["Total", "", "1", "0", "0", "0", "0"]


def test_funnel_shows_the_last_twelve_months_by_default(team_a, manager, default_policies):
    recent = factories.YoungPersonFactory(team=team_a)  # referred 60 days ago
    factories.YoungPersonFactory(
        team=team_a, referral_date=timezone.localdate() - timedelta(days=400)
    )
    response = client_for(manager).get(FUNNEL)
    month = date_format(recent.referral_date, "F Y")
    assert table_rows(response, "funnel") == [
        [month, "Team A", "1", "0", "0", "0", "0"],
        ["Total", "", "1", "0", "0", "0", "0"],
    ]


def test_funnel_refuses_a_period_that_ends_before_it_starts(manager):
    response = client_for(manager).get(
        FUNNEL, funnel_query(date_from="2016-06-01", date_to="2016-01-01")
    )
    assert "Referred to must be the same as or after referred from" in text_of(response)
    assert 'id="funnel"' not in response.content.decode()


@pytest.mark.parametrize("count", [1, 50])
def test_funnel_query_budget(
    team_a, team_b, practitioner, manager, default_policies, count, django_assert_max_num_queries
):
    factories.MembershipFactory(user=manager, team=team_b, role="manager")
    for index in range(count):
        team = team_a if index % 2 else team_b
        person = referral(team, date(2016, 1, 1) + timedelta(days=7 * index), offences=1)
        services.eligibility_check(by=None, young_person=person)
        factories.ConsentFactory(young_person=person)
    client = client_for(manager)
    with django_assert_max_num_queries(FUNNEL_BUDGET):
        response = client.get(FUNNEL, funnel_query(date_to="2017-12-31"))
    assert table_rows(response, "funnel")[-1][2] == str(count)


# --- The record page's panel -------------------------------------------------------------------


def render_panel(user, young_person):
    request = RequestFactory().get("/")
    request.user = user
    html = render_to_string("eligibility/panel.html", panel_context(request, young_person))
    return html, re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_panel_shows_the_latest_decision_and_what_is_missing(few_offences, practitioner):
    services.eligibility_check(
        by=practitioner, young_person=few_offences, decided_on=date(2016, 3, 2)
    )
    html, text = render_panel(practitioner, few_offences)
    assert "Eligibility and ECM pathway" in text
    assert "Latest decision Not eligible" in text
    assert "2 March 2016, by ECM 2016 revised (version 1)" in text
    assert "The latest eligibility decision (2016-03-02) is not eligible" in text
    assert "The young person's consent to take part is not currently given" in text
    assert url("eligibility:decision-list", few_offences) in html
    assert url("eligibility:decision-create", few_offences) in html
    assert url("eligibility:start", few_offences) in html


def test_panel_offers_end_once_ecm_has_started(on_ecm, practitioner):
    html, text = render_panel(practitioner, on_ecm)
    assert "On ECM since 21 March 2016" in text
    assert url("eligibility:end", on_ecm) in html
    assert url("eligibility:start", on_ecm) not in html
    assert "Before ECM can start" not in text


def test_panel_offers_a_psychologist_no_actions(few_offences, practitioner, psychologist):
    services.eligibility_check(by=practitioner, young_person=few_offences)
    html, text = render_panel(psychologist, few_offences)
    assert "Not eligible" in text
    for name in ("eligibility:decision-create", "eligibility:start", "eligibility:end"):
        assert url(name, few_offences) not in html
    assert "override" not in html


def test_panel_offers_the_manager_an_override(few_offences, practitioner, manager):
    decision = services.eligibility_check(by=practitioner, young_person=few_offences)
    html, _text = render_panel(manager, few_offences)
    assert override_url(decision) in html


@pytest.mark.parametrize("count", [1, 50])
def test_panel_query_budget(
    few_offences, practitioner, manager, count, django_assert_max_num_queries
):
    for _index in range(count):
        decision = services.eligibility_check(by=practitioner, young_person=few_offences)
    services.eligibility_override(by=manager, decision=decision, eligible=True, reason="Panel")
    request = RequestFactory().get("/")
    request.user = manager  # whose roles the services above have already read
    with django_assert_max_num_queries(PANEL_BUDGET):
        html = render_to_string("eligibility/panel.html", panel_context(request, few_offences))
    assert "Overridden by a manager: eligible" in html


# --- Navigation --------------------------------------------------------------------------------


def test_managers_see_the_funnel_and_what_if_in_the_navigation(manager, practitioner):
    as_manager = client_for(manager).get(reverse("home")).content.decode()
    as_practitioner = client_for(practitioner).get(reverse("home")).content.decode()
    for link in (FUNNEL, WHAT_IF):
        assert f'href="{link}"' in as_manager
        assert f'href="{link}"' not in as_practitioner
    assert "Referral funnel" in as_manager
    assert "Policy what-if" in as_manager


# --- Junk never gives an error page ------------------------------------------------------------

dates = st.one_of(
    st.text(max_size=30),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.dates().map(lambda value: value.strftime("%d/%m/%Y")),
)


@pytest.mark.django_db
@HYPOTHESIS
@given(
    eligible=st.sampled_from(["yes", "no", "", "maybe", "\x00"]),
    reason=st.text(max_size=2100),
)
def test_any_override_gets_a_page_not_an_error(
    few_offences, practitioner, manager, eligible, reason
):
    decision = services.eligibility_check(by=None, young_person=few_offences)
    response = client_for(manager).post(
        override_url(decision), {"eligible": eligible, "reason": reason}
    )
    assert response.status_code in (200, 302)
    saved = EligibilityOverride.objects.filter(decision=decision).first()
    if response.status_code == 302:
        assert saved.reason == reason.strip()
        assert saved.eligible == (eligible == "yes")
    else:
        assert saved is None


@pytest.mark.django_db
@HYPOTHESIS
@given(start_date=dates)
def test_any_start_date_gets_a_page_not_an_error(eligible_referral, practitioner, start_date):
    give_consent(eligible_referral)
    response = client_for(practitioner).post(
        url("eligibility:start", eligible_referral), {"start_date": start_date}
    )
    assert response.status_code in (200, 302)
    eligible_referral.refresh_from_db()
    if eligible_referral.ecm_start_date:
        assert eligible_referral.referral_date <= eligible_referral.ecm_start_date
        assert eligible_referral.ecm_start_date <= timezone.localdate()
        YoungPerson.objects.filter(pk=eligible_referral.pk).update(ecm_start_date=None)


@pytest.mark.django_db
@HYPOTHESIS
@given(
    end_date=dates,
    end_reason=st.sampled_from(["completed", "withdrawn", "other", "", "nope"]),
    reasons=st.text(max_size=2100),
)
def test_any_end_gets_a_page_not_an_error(on_ecm, practitioner, end_date, end_reason, reasons):
    response = client_for(practitioner).post(
        url("eligibility:end", on_ecm),
        {"end_date": end_date, "end_reason": end_reason, "young_persons_reasons": reasons},
    )
    assert response.status_code in (200, 302)
    YoungPerson.objects.filter(pk=on_ecm.pk).update(ecm_end_date=None, end_reason="")


@pytest.mark.django_db
@HYPOTHESIS
@given(date_from=dates, date_to=dates, team=st.text(max_size=10))
def test_any_report_period_gets_a_page_not_an_error(
    manager, default_policies, date_from, date_to, team
):
    query = {"date_from": date_from, "date_to": date_to, "team": team}
    assert client_for(manager).get(FUNNEL, query).status_code == 200
    query["policy"] = default_policies["Widened"].pk
    assert client_for(manager).get(WHAT_IF, query).status_code == 200


@pytest.mark.parametrize("answer", ["", "maybe", "yes" * 100])
def test_any_check_answer_gets_a_page_not_an_error(few_offences, practitioner, answer):
    response = client_for(practitioner).post(
        url("eligibility:decision-create", few_offences), {"voluntary_participation": answer}
    )
    assert response.status_code == 200
    assert not EligibilityDecision.objects.exists()


def test_what_if_writes_one_access_log_row_with_what_it_showed(
    what_if_cohort, manager, team_a, default_policies
):
    widened = default_policies["Widened"]

    client_for(manager).get(WHAT_IF, what_if_query(widened, team=team_a.pk))

    [row] = AccessLogEntry.objects.filter(user=manager)
    assert (row.action, row.allowed) == ("eligibility.what_if", True)
    assert row.detail == (
        "young people shown: 1 of 1; filters: date_from=2016-01-01, date_to=2016-12-31, "
        f"policy={widened.pk}, team={team_a.pk}"
    )


def test_what_if_with_bad_filters_shows_nobody_and_logs_no_list(manager, default_policies):
    query = what_if_query(default_policies["Widened"], date_from="2016-06-01", date_to="2016-01-01")

    client_for(manager).get(WHAT_IF, query)

    assert not AccessLogEntry.objects.filter(action="eligibility.what_if").exists()
