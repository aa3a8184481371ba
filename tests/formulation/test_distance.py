"""Distance travelled (issue 15): the young person's own rating and the practitioner's, 1 to
5, per domain at each formulation; first and latest on the record, the change in words."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseEvent
from cases.services import ConflictError
from formulation import services
from formulation.models import DistanceDomain, DistanceRating, MeetingKind
from formulation.reference_data import DISTANCE_DOMAINS
from seed import factories
from tests.conftest import client_for

#: Queries of the ratings page, whatever the number of ratings: session, user, roles,
#: the meeting, access log (2), the formulation, the domains and ratings (2), activity stamp.
DISTANCE_PAGE_BUDGET = 14


def days_ago(days):
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def young_person(team_a, practitioner):
    return factories.YoungPersonFactory(
        team=team_a, practitioner=practitioner, given_name="Dylan", family_name="Morgan"
    )


def formulation_at(psychologist, young_person, held_days_ago, kind=MeetingKind.INITIAL):
    meeting = services.meeting_schedule(
        by=psychologist,
        young_person=young_person,
        held_on=days_ago(held_days_ago),
        kind=kind,
        agencies=(),
    )
    return services.formulation_record(
        by=psychologist,
        meeting=meeting,
        values={"trm_stage": factories.trm_stage(2), "trm_reasoning": "Trust is building"},
    )


def domain(code):
    return DistanceDomain.objects.get(code=code)


def rate(by, formulation, ratings):
    formulation.refresh_from_db()
    return services.distance_ratings_record(
        by=by,
        formulation=formulation,
        ratings={domain(code): pair for code, pair in ratings.items()},
        version=formulation.version,
    )


def page_url(formulation):
    return reverse("formulation:distance-edit", kwargs={"meeting_pk": formulation.meeting_id})


def test_the_evaluations_domains_are_loaded_in_english_and_welsh(db):
    loaded = {d.code: (d.name, d.name_cy) for d in DistanceDomain.objects.all()}
    assert loaded == {code: (name, name_cy) for code, name, name_cy in DISTANCE_DOMAINS}
    assert "Self-confidence" in [d.name for d in DistanceDomain.objects.all()]


def test_a_practitioner_records_both_ratings_with_history(practitioner, psychologist, young_person):
    formulation = formulation_at(psychologist, young_person, 10)
    rate(practitioner, formulation, {"self_confidence": (2, 3)})
    rating = DistanceRating.objects.get()
    assert (rating.self_rating, rating.practitioner_rating) == (2, 3)
    assert rating.history.get().history_user == practitioner
    assert CaseEvent.objects.filter(action="formulation.distance_rated").exists()


def test_a_rating_off_the_scale_is_refused_with_the_domain_named(psychologist, young_person):
    formulation = formulation_at(psychologist, young_person, 10)
    with pytest.raises(ValidationError) as error:
        rate(psychologist, formulation, {"anger_management": (0, 6)})
    assert error.value.message_dict == {
        "anger_management_self": [
            "Anger management: the young person's own rating must be a whole number from 1 to 5"
        ],
        "anger_management_practitioner": [
            "Anger management: the practitioner's rating must be a whole number from 1 to 5"
        ],
    }
    assert not DistanceRating.objects.exists()


def test_a_domain_needs_both_ratings_or_neither(psychologist, young_person):
    formulation = formulation_at(psychologist, young_person, 10)
    with pytest.raises(ValidationError) as error:
        rate(psychologist, formulation, {"self_confidence": (4, None)})
    assert error.value.message_dict == {
        "self_confidence_practitioner": [
            "Self-confidence: enter the practitioner's rating too, or leave both empty"
        ]
    }


def test_an_old_version_is_a_conflict(psychologist, young_person):
    formulation = formulation_at(psychologist, young_person, 10)
    version = formulation.version
    rate(psychologist, formulation, {"self_confidence": (2, 2)})
    with pytest.raises(ConflictError):
        services.distance_ratings_record(
            by=psychologist,
            formulation=formulation,
            ratings={domain("self_confidence"): (3, 3)},
            version=version,
        )


def test_someone_outside_the_team_roles_cannot_rate(evaluator, psychologist, young_person):
    formulation = formulation_at(psychologist, young_person, 10)
    with pytest.raises(PermissionDenied):
        rate(evaluator, formulation, {"self_confidence": (2, 2)})


def test_the_page_saves_ratings_and_the_record_shows_first_latest_and_change(
    practitioner, psychologist, young_person
):
    first = formulation_at(psychologist, young_person, 100)
    latest = formulation_at(psychologist, young_person, 10, kind=MeetingKind.REVIEW)
    client = client_for(practitioner)
    first.refresh_from_db()
    response = client.post(
        page_url(first),
        {
            "version": first.version,
            "self_confidence_self": "2",
            "self_confidence_practitioner": "1",
        },
    )
    assert response.status_code == 302
    latest.refresh_from_db()
    client.post(
        page_url(latest),
        {
            "version": latest.version,
            "self_confidence_self": "4",
            "self_confidence_practitioner": "1",
        },
    )
    record = client.get(
        reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk})
    ).content.decode()
    assert "Self-confidence" in record
    assert "up 2, from 2 to 4" in record
    assert "no change, 1" in record


def test_the_page_gives_specific_messages(practitioner, psychologist, young_person):
    formulation = formulation_at(psychologist, young_person, 10)
    client = client_for(practitioner)
    not_a_number = client.post(
        page_url(formulation), {"version": formulation.version, "anger_management_self": "seven"}
    ).content.decode()
    assert "Anger management: enter the rating as a whole number from 1 to 5" in not_a_number
    half = client.post(
        page_url(formulation), {"version": formulation.version, "emotional_resilience_self": "3"}
    ).content.decode()
    assert (
        "Emotional resilience: enter the practitioner&#x27;s rating too, or leave both empty"
        in half
    )
    assert (
        'id="id_emotional_resilience_practitioner-error"' in half
        or "emotional_resilience_practitioner" in half
    )
    off_scale = client.post(
        page_url(formulation),
        {
            "version": formulation.version,
            "self_confidence_self": "9",
            "self_confidence_practitioner": "3",
        },
    ).content.decode()
    assert (
        "Self-confidence: the young person&#x27;s own rating must be a whole number from 1 to 5"
        in off_scale
    )
    assert not DistanceRating.objects.exists()


def test_the_summary_shows_the_ratings_at_that_meeting(practitioner, psychologist, young_person):
    formulation = formulation_at(psychologist, young_person, 10)
    rate(psychologist, formulation, {"anger_management": (3, 2)})
    summary = (
        client_for(practitioner)
        .get(
            reverse(
                "formulation:formulation-summary", kwargs={"meeting_pk": formulation.meeting_id}
            )
        )
        .content.decode()
    )
    assert 'id="distance-ratings"' in summary
    assert "Anger management" in summary


def test_the_record_reads_in_welsh(practitioner, psychologist, young_person):
    rate(psychologist, formulation_at(psychologist, young_person, 10), {"self_confidence": (3, 3)})
    client = client_for(practitioner)
    client.cookies["django_language"] = "cy"
    record = client.get(
        reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk}),
        HTTP_ACCEPT_LANGUAGE="cy",
    ).content.decode()
    assert "Hunanhyder" in record


@pytest.mark.parametrize("count", [1, 50])
def test_ratings_page_query_budget(
    practitioner, psychologist, young_person, django_assert_max_num_queries, count
):
    for number in range(count):
        DistanceDomain.objects.create(code=f"extra-{number}", name=f"Extra {number}")
    formulation = formulation_at(psychologist, young_person, 10)
    rate(
        psychologist,
        formulation,
        {f"extra-{number}": (1 + number % 5, 2) for number in range(count)},
    )
    client = client_for(practitioner)
    with django_assert_max_num_queries(DISTANCE_PAGE_BUDGET):
        response = client.get(page_url(formulation))
    assert response.status_code == 200
