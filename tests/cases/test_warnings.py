"""Every case warning, on each side of its rule, as the caseload and team lists show it.

One young person per situation; the lists must flag exactly the warnings the rule gives and
count them the same way in the team's overview.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import selectors, warnings
from seed import factories


def days_ago(days):
    return timezone.localdate() - timedelta(days=days)


def person(team, practitioner, **values):
    values.setdefault("referral_date", days_ago(30))
    values.setdefault("parent_consent_required", False)
    return factories.YoungPersonFactory(team=team, practitioner=practitioner, **values)


def consented(young_person, party="young_person", decision="given"):
    factories.ConsentFactory(young_person=young_person, party=party, decision=decision)
    return young_person


def assessed(young_person):
    factories.TRMAssessmentFactory(young_person=young_person)
    return young_person


def seen(young_person, days):
    factories.AppointmentFactory(
        young_person=young_person, starts_at=timezone.now() - timedelta(days=days)
    )
    return young_person


def settled(team, practitioner, **values):
    """Nothing to warn about: seen this week, consented, assessed."""
    return seen(assessed(consented(person(team, practitioner, **values))), days=2)


def formulated(young_person, *, held_days_ago=10, kind="initial", status="held", **values):
    meeting = factories.FormulationMeetingFactory(
        young_person=young_person, held_on=days_ago(held_days_ago), kind=kind, status=status
    )
    if status == "held":
        return factories.FormulationFactory(meeting=meeting, **values)
    return None


def codes_by_person(practitioner, team):
    stages = selectors.stages_by_id()
    rows = selectors.with_stage_and_warnings(list(selectors.caseload_for(practitioner)), stages)
    listed = {row.pk: {warning.code for warning in row.warnings} for row in rows}
    page = selectors.with_stage_and_warnings(
        selectors.page_with_summaries(list(selectors.team_cases(team))), stages
    )
    assert {row.pk: {warning.code for warning in row.warnings} for row in page} == listed
    _summaries, totals = selectors.team_overview(team)
    counted = dict.fromkeys((provider.code for provider in warnings.providers()), 0)
    for codes in listed.values():
        for code in codes:
            counted[code] += 1
    assert {code: totals.warnings[code] for code in counted} == counted
    return listed


def overseen(young_person, manager, *, days):
    """Management oversight recorded `days` ago (supervision registers the warning)."""
    from supervision.models import OversightEntry

    OversightEntry.objects.create(
        young_person=young_person,
        manager=manager,
        reviewed_on=days_ago(days),
        reviewed="Plan and contact",
        decision="Carry on",
    )
    return young_person


@pytest.fixture
def cases(team_a, practitioner, psychologist, manager):
    made = {}

    def add(name, young_person):
        made[name] = young_person.pk
        return young_person

    add("settled", settled(team_a, practitioner))
    # No recent contact: the last attended appointment is 14 days old or older; never seen
    # counts once the case has been open (ECM start, else referral) for 14 days.
    add("seen 13 days ago", seen(assessed(consented(person(team_a, practitioner))), days=13))
    add("seen 15 days ago", seen(assessed(consented(person(team_a, practitioner))), days=15))
    missed = assessed(consented(person(team_a, practitioner)))
    factories.AppointmentFactory(young_person=missed, attendance="did_not_attend", engagement=None)
    add("never attended", missed)
    add(
        "never seen, referred 13 days ago",
        assessed(consented(person(team_a, practitioner, referral_date=days_ago(13)))),
    )
    add(
        "never seen, started 13 days ago",
        assessed(
            consented(
                person(
                    team_a,
                    practitioner,
                    referral_date=days_ago(40),
                    ecm_start_date=days_ago(13),
                )
            )
        ),
    )
    # Consent: the young person's latest decision must be "given"; the parent's too when
    # required.
    add("no consent", seen(assessed(person(team_a, practitioner)), days=2))
    withdrawn = seen(assessed(consented(person(team_a, practitioner))), days=2)
    factories.ConsentFactory(
        young_person=withdrawn,
        decision="withdrawn",
        decided_on=withdrawn.referral_date + timedelta(days=1),
        note="Said they want to stop",
    )
    add("consent withdrawn", withdrawn)
    add(
        "parent needed, not given",
        settled(team_a, practitioner, parent_consent_required=True),
    )
    add(
        "parent needed and given",
        consented(
            settled(team_a, practitioner, parent_consent_required=True), party="parent_carer"
        ),
    )
    # TRM stage never assessed.
    add("not assessed", seen(consented(person(team_a, practitioner)), days=2))
    # Formulation: a review date passed; no initial meeting held within the window
    # (56 days) of the ECM start; an agreed action past due and not done.
    review_due = settled(team_a, practitioner)
    formulated(review_due, next_review_on=days_ago(1))
    add("review overdue", review_due)
    review_today = settled(team_a, practitioner)
    formulated(review_today, next_review_on=timezone.localdate())
    add("review due today", review_today)
    add(
        "started 57 days ago, no formulation",
        settled(team_a, practitioner, referral_date=days_ago(90), ecm_start_date=days_ago(57)),
    )
    add(
        "started 56 days ago, no formulation",
        settled(team_a, practitioner, referral_date=days_ago(90), ecm_start_date=days_ago(56)),
    )
    planned_only = settled(
        team_a, practitioner, referral_date=days_ago(90), ecm_start_date=days_ago(60)
    )
    formulated(planned_only, status="planned", held_days_ago=-3)
    add("started 60 days ago, meeting only planned", planned_only)
    held = settled(team_a, practitioner, referral_date=days_ago(90), ecm_start_date=days_ago(60))
    formulated(held, held_days_ago=20)
    add("started 60 days ago, initial held", held)
    overdue = settled(team_a, practitioner)
    formulation = formulated(overdue)
    factories.AgreedActionFactory(formulation=formulation, due_on=days_ago(1))
    factories.AgreedActionFactory(
        formulation=formulation, due_on=timezone.localdate() + timedelta(days=3)
    )
    add("action overdue", overdue)
    done = settled(team_a, practitioner)
    formulation = formulated(done)
    factories.AgreedActionFactory(
        formulation=formulation, due_on=days_ago(5), done_on=timezone.localdate()
    )
    factories.AgreedActionFactory(formulation=formulation, due_on=timezone.localdate())
    add("action done, another due today", done)

    # Management oversight: a case open for 3 calendar months needs an entry within them.
    def long_open():
        young_person = settled(
            team_a, practitioner, referral_date=days_ago(140), ecm_start_date=days_ago(130)
        )
        formulated(young_person, held_days_ago=100)
        return young_person

    add("open 130 days, never overseen", long_open())
    add("open 130 days, overseen 100 days ago", overseen(long_open(), manager, days=100))
    add("open 130 days, overseen 80 days ago", overseen(long_open(), manager, days=80))
    add(
        "started 80 days ago, never overseen",
        settled(team_a, practitioner, referral_date=days_ago(200), ecm_start_date=days_ago(80)),
    )
    # An ended case shows no warnings, whatever its records.
    add(
        "ended",
        person(
            team_a,
            practitioner,
            referral_date=days_ago(200),
            ecm_start_date=days_ago(190),
            ecm_end_date=days_ago(10),
        ),
    )
    return made


EXPECTED = {
    "settled": set(),
    "seen 13 days ago": set(),
    "seen 15 days ago": {"no_recent_contact"},
    "never attended": {"no_recent_contact"},
    "never seen, referred 13 days ago": set(),
    "never seen, started 13 days ago": set(),
    "no consent": {"consent_missing"},
    "consent withdrawn": {"consent_missing"},
    "parent needed, not given": {"consent_missing"},
    "parent needed and given": set(),
    "not assessed": {"trm_not_assessed"},
    "review overdue": {"formulation_review_overdue"},
    "review due today": set(),
    "started 57 days ago, no formulation": {"initial_formulation_late"},
    "started 56 days ago, no formulation": set(),
    "started 60 days ago, meeting only planned": {"initial_formulation_late"},
    "started 60 days ago, initial held": set(),
    "action overdue": {"formulation_actions_overdue"},
    "action done, another due today": set(),
    "open 130 days, never overseen": {"no_recent_oversight"},
    "open 130 days, overseen 100 days ago": {"no_recent_oversight"},
    "open 130 days, overseen 80 days ago": set(),
    "started 80 days ago, never overseen": {"initial_formulation_late"},
    "ended": set(),
}


def test_each_warning_applies_exactly_on_its_side_of_the_rule(cases, practitioner, team_a):
    listed = codes_by_person(practitioner, team_a)
    assert {name: listed[pk] for name, pk in cases.items()} == EXPECTED
