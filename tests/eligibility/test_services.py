from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases.models import CaseEvent
from eligibility import services
from eligibility.models import EligibilityDecision, EligibilityPolicy, PolicyStatus
from seed import factories


@pytest.fixture
def referral_2016(team_a, practitioner, default_policies):
    """Referred 2016-03-01 with 7 offences in the 24 months before and 4 needs, on an order."""
    person = factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        referral_date=date(2016, 3, 1),
        date_of_birth=date(2000, 5, 5),
    )
    for month in range(7):
        factories.OffenceFactory(young_person=person, committed_on=date(2014, 4 + month, 1))
    for code in ("substance_misuse", "mental_health", "neglect", "bereavement"):
        factories.NeedFactory(
            young_person=person,
            category=factories.need_category(code),
            recorded_on=date(2016, 2, 1),
        )
    factories.OrderFactory(
        young_person=person, start_date=date(2016, 1, 10), end_date=date(2016, 10, 9)
    )
    return person


def test_a_referral_is_judged_by_the_policy_in_force_on_its_referral_date(
    referral_2016, practitioner
):
    decision = services.eligibility_check(by=practitioner, young_person=referral_2016)
    assert decision.policy.name == "ECM 2016 revised"
    assert decision.eligible
    values = [criterion["values"] for criterion in decision.criteria]
    assert values[0] == {"count": 7, "start": "2014-03-01", "end": "2016-03-01", "minimum": 5}
    assert (values[1]["count"], values[1]["date"]) == (4, "2016-03-01")
    assert values[2] == {
        "outcome": "on_order",
        "order_type": "referral_order",
        "start": "2016-01-10",
        "end": "2016-10-09",
    }


def test_the_2015_policy_judges_a_2015_referral(team_a, practitioner, default_policies):
    person = factories.YoungPersonFactory(
        team=team_a, referral_date=date(2015, 6, 1), date_of_birth=date(2000, 1, 1)
    )
    decision = services.eligibility_check(by=practitioner, young_person=person)
    assert decision.policy.name == "ECM 2015"
    assert not decision.eligible


def test_no_policy_in_force_is_a_clear_error(team_a, practitioner, default_policies):
    person = factories.YoungPersonFactory(
        team=team_a, referral_date=date(2014, 6, 1), date_of_birth=date(2000, 1, 1)
    )
    with pytest.raises(ValidationError, match="No active eligibility policy was in force"):
        services.eligibility_check(by=practitioner, young_person=person)


def test_a_new_check_is_a_new_decision_and_the_old_one_stays(referral_2016, practitioner):
    first = services.eligibility_check(by=practitioner, young_person=referral_2016)
    second = services.eligibility_check(by=practitioner, young_person=referral_2016)
    assert EligibilityDecision.objects.filter(young_person=referral_2016).count() == 2
    assert services.latest_decision(referral_2016) == second
    first.refresh_from_db()
    assert first.eligible


def test_psychologists_and_evaluators_cannot_run_checks(referral_2016, psychologist, evaluator):
    for user in (psychologist, evaluator):
        with pytest.raises(PermissionDenied):
            services.eligibility_check(by=user, young_person=referral_2016)


def test_only_a_manager_overrides_and_must_give_a_reason(referral_2016, practitioner, manager):
    decision = services.eligibility_check(by=practitioner, young_person=referral_2016)
    with pytest.raises(PermissionDenied):
        services.eligibility_override(
            by=practitioner, decision=decision, eligible=False, reason="x"
        )
    with pytest.raises(ValidationError, match="reason"):
        services.eligibility_override(by=manager, decision=decision, eligible=False, reason="  ")
    services.eligibility_override(
        by=manager, decision=decision, eligible=False, reason="Moving out of area next month"
    )
    decision.refresh_from_db()
    assert decision.eligible is True
    assert decision.final_eligible is False
    event = CaseEvent.objects.get(action="eligibility.override")
    assert event.data["reason"] == "Moving out of area next month"


def _give_consent(person, party="young_person"):
    factories.ConsentFactory(young_person=person, party=party, decided_on=person.referral_date)


def test_start_is_refused_with_every_missing_item_named(referral_2016, practitioner):
    blockers = services.start_blockers(referral_2016)
    assert "No eligibility check has been made: run one first" in blockers
    assert "The young person's consent to take part is not currently given" in blockers
    assert "The parent or carer's consent to take part is not currently given" in blockers
    with pytest.raises(ValidationError) as refused:
        services.ecm_start(
            by=practitioner, young_person=referral_2016, start_date=date(2016, 3, 20)
        )
    assert "No eligibility check has been made: run one first" in refused.value.messages


def test_start_after_eligible_decision_and_both_consents(referral_2016, practitioner):
    services.eligibility_check(by=practitioner, young_person=referral_2016)
    _give_consent(referral_2016)
    _give_consent(referral_2016, "parent_carer")
    assert services.start_blockers(referral_2016) == []
    started = services.ecm_start(
        by=practitioner, young_person=referral_2016, start_date=date(2016, 3, 20)
    )
    assert started.ecm_start_date == date(2016, 3, 20)
    assert CaseEvent.objects.filter(action="ecm.started").exists()


def test_withdrawn_consent_blocks_the_start(referral_2016, practitioner):
    services.eligibility_check(by=practitioner, young_person=referral_2016)
    _give_consent(referral_2016)
    factories.ConsentFactory(
        young_person=referral_2016,
        decision="withdrawn",
        decided_on=referral_2016.referral_date + timedelta(days=3),
    )
    referral_2016.parent_consent_required = False
    assert services.start_blockers(referral_2016) == [
        "The young person's consent to take part is not currently given"
    ]


def test_override_to_eligible_allows_the_start(team_a, practitioner, manager, default_policies):
    person = factories.YoungPersonFactory(
        team=team_a,
        referral_date=date(2016, 5, 1),
        date_of_birth=date(2000, 1, 1),
        parent_consent_required=False,
    )
    decision = services.eligibility_check(by=practitioner, young_person=person)
    assert not decision.eligible
    services.eligibility_override(
        by=manager, decision=decision, eligible=True, reason="Offending escalating; panel agreed"
    )
    _give_consent(person)
    assert services.start_blockers(person) == []


def test_withdrawal_needs_the_young_persons_reasons(referral_2016, practitioner):
    referral_2016.ecm_start_date = date(2016, 3, 20)
    referral_2016.save()
    with pytest.raises(ValidationError) as refused:
        services.ecm_end(
            by=practitioner,
            young_person=referral_2016,
            end_date=date(2016, 9, 1),
            end_reason="withdrawn",
        )
    assert "young_persons_reasons" in refused.value.message_dict
    assert refused.value.message_dict["withdrawal_reason"] == [
        "Select the reason the young person gave for withdrawing"
    ]
    ended = services.ecm_end(
        by=practitioner,
        young_person=referral_2016,
        end_date=date(2016, 9, 1),
        end_reason="withdrawn",
        young_persons_reasons="Wanted to focus on college",
        withdrawal_reason=factories.disengagement_reason("too_many_appointments"),
    )
    assert ended.end_note == "Wanted to focus on college"
    assert ended.withdrawal_reason.code == "too_many_appointments"
    event = CaseEvent.objects.get(young_person=ended, action="ecm.ended")
    assert event.data["disengagement_reason"] == "too_many_appointments"


def test_a_reason_for_withdrawing_on_another_ending_is_refused(referral_2016, practitioner):
    referral_2016.ecm_start_date = date(2016, 3, 20)
    referral_2016.save()
    with pytest.raises(ValidationError) as refused:
        services.ecm_end(
            by=practitioner,
            young_person=referral_2016,
            end_date=date(2016, 9, 1),
            end_reason="completed",
            withdrawal_reason=factories.disengagement_reason("moved_away"),
        )
    assert refused.value.message_dict["withdrawal_reason"] == [
        "A reason for withdrawing is recorded only when ECM ended as withdrawn"
    ]


def test_end_before_start_is_refused(referral_2016, practitioner):
    referral_2016.ecm_start_date = date(2016, 3, 20)
    referral_2016.save()
    with pytest.raises(ValidationError) as refused:
        services.ecm_end(
            by=practitioner,
            young_person=referral_2016,
            end_date=date(2016, 3, 1),
            end_reason="completed",
        )
    assert refused.value.message_dict == {
        "end_date": ["End date must be the same as or after the start date"]
    }


def test_end_before_ecm_has_started_is_refused(referral_2016, practitioner):
    with pytest.raises(ValidationError) as refused:
        services.ecm_end(
            by=practitioner,
            young_person=referral_2016,
            end_date=date(2016, 9, 1),
            end_reason="completed",
        )
    assert refused.value.message_dict == {"__all__": ["ECM cannot end before it has started"]}


def test_start_before_the_referral_or_in_the_future_is_refused(referral_2016, practitioner):
    services.eligibility_check(by=practitioner, young_person=referral_2016)
    _give_consent(referral_2016)
    _give_consent(referral_2016, party="parent_carer")
    assert services.start_blockers(referral_2016) == []
    for start_date, message in (
        (date(2016, 2, 29), "ECM start date cannot be before the referral date"),
        (timezone.localdate() + timedelta(days=1), "Start date must be today or in the past"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.ecm_start(by=practitioner, young_person=referral_2016, start_date=start_date)
        assert refused.value.message_dict == {"start_date": [message]}
    referral_2016.refresh_from_db()
    assert referral_2016.ecm_start_date is None


# --- Policies -----------------------------------------------------------------------------------


def _values(**changes):
    values = {
        "name": "Trial 2027",
        "status": PolicyStatus.DRAFT,
        "minimum_offences": 4,
        "window_months": 12,
        "minimum_need_categories": 3,
        "statutory_order_required": False,
        "voluntary_participation_allowed": True,
        "effective_from": date(2027, 1, 1),
        "effective_to": None,
    }
    values.update(changes)
    return values


@pytest.mark.parametrize("window", [0, -3])
def test_a_window_of_zero_or_less_is_refused(default_policies, window):
    with pytest.raises(ValidationError, match="at least 1 month"):
        services.policy_save(values=_values(window_months=window))


def test_effective_to_before_effective_from_is_refused(default_policies):
    with pytest.raises(ValidationError, match="same as or after effective from"):
        services.policy_save(values=_values(effective_to=date(2026, 12, 31)))


def test_two_active_policies_cannot_overlap(default_policies):
    with pytest.raises(ValidationError, match="ECM 2016 revised .* is already active"):
        services.policy_save(values=_values(status=PolicyStatus.ACTIVE))


def test_editing_a_used_policy_makes_a_new_version(referral_2016, practitioner):
    decision = services.eligibility_check(by=practitioner, young_person=referral_2016)
    used = decision.policy
    new = services.policy_save(values={"window_months": 18}, existing=used)
    used.refresh_from_db()
    assert (used.window_months, used.status) == (24, PolicyStatus.RETIRED)
    assert (new.version, new.window_months, new.supersedes) == (2, 18, used)
    assert new.status == PolicyStatus.ACTIVE
    decision.refresh_from_db()
    assert decision.policy == used


def test_editing_an_unused_draft_changes_it_in_place(default_policies):
    draft = default_policies["Widened"]
    edited = services.policy_save(values={"minimum_need_categories": 2}, existing=draft)
    assert edited.pk == draft.pk
    assert EligibilityPolicy.objects.filter(name="Widened").count() == 1


def test_check_uses_today_as_the_decision_date(referral_2016, practitioner):
    decision = services.eligibility_check(by=practitioner, young_person=referral_2016)
    assert decision.decided_on == timezone.localdate()


def test_admin_editing_a_used_policy_saves_a_new_version(
    referral_2016, practitioner, administrator
):
    from tests.conftest import client_for

    used = services.eligibility_check(by=practitioner, young_person=referral_2016).policy
    client = client_for(administrator)
    form = {
        "name": used.name,
        "status": "active",
        "minimum_offences": 5,
        "window_months": 18,
        "minimum_need_categories": 3,
        "statutory_order_required": "on",
        "voluntary_participation_allowed": "on",
        "effective_from": "2016-02-01",
        "effective_to": "",
    }
    response = client.post(
        f"/admin/eligibility/eligibilitypolicy/{used.pk}/change/", form, follow=True
    )
    assert response.status_code == 200
    assert "saved as a new version" in response.content.decode()
    assert list(
        EligibilityPolicy.objects.filter(name=used.name)
        .values_list("version", "window_months", "status")
        .order_by("version")
    ) == [(1, 24, "retired"), (2, 18, "active")]


def test_admin_sees_a_clear_error_for_overlapping_active_policies(default_policies, administrator):
    from tests.conftest import client_for

    form = {
        "name": "Another",
        "status": "active",
        "minimum_offences": 5,
        "window_months": 12,
        "minimum_need_categories": 3,
        "effective_from": "2020-01-01",
        "effective_to": "",
    }
    response = client_for(administrator).post("/admin/eligibility/eligibilitypolicy/add/", form)
    assert response.status_code == 200
    assert "two active policies cannot overlap" in response.content.decode()
