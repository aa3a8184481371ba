"""The one set of factory-boy factories, for the tests (the generators write through the
services or in bulk)."""

from datetime import date, timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Agency, Membership, Role, Team, User


def plain_name(kind: str) -> factory.LazyFunction:
    """A random en_GB "first_name" or "last_name" (factory-boy's seeded Faker) without an
    apostrophe. A page escapes one (O'Brien becomes O&#x27;Brien), so a test looking for a
    random name in the HTML failed whenever Faker drew such a name; names with apostrophes
    have tests of their own that say so (tests/accounts/test_welsh_names.py)."""
    return factory.LazyFunction(
        lambda: getattr(factory.Faker._get_faker(locale="en_GB"), kind)().replace("'", "")
    )


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"team-{n}")
    name = factory.Sequence(lambda n: f"Team {n}")


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.Sequence(lambda n: f"Agency {n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = plain_name("first_name")
    last_name = plain_name("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct-horse-battery")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    role = Role.PRACTITIONER


def user_with_role(role: str, *teams: Team, **user_fields) -> User:
    """A user holding `role` in each of `teams` (or service-wide for evaluator and admin)."""
    user = UserFactory(**user_fields)
    if teams:
        for team in teams:
            MembershipFactory(user=user, team=team, role=role)
    else:
        MembershipFactory(user=user, team=None, role=role)
    return user


# --- Case records ------------------------------------------------------------------------------


def need_category(code: str):
    """A category from the needs vocabulary (the defaults are loaded by a migration)."""
    from cases.models import NeedCategory
    from cases.reference_data import NEED_CATEGORIES

    names = {entry[0]: entry[1:] for entry in NEED_CATEGORIES}
    name, name_cy = names.get(code, (code.replace("_", " ").capitalize(), ""))
    return NeedCategory.objects.get_or_create(
        code=code, defaults={"name": name, "name_cy": name_cy}
    )[0]


def appointment_purpose(code: str):
    """A purpose from the appointment vocabulary (the defaults are loaded by a migration)."""
    from cases.models import AppointmentPurpose
    from cases.reference_data import ensure_appointment_purposes

    purpose = AppointmentPurpose.objects.filter(code=code).first()
    if purpose is None:  # a transactional test flushed the migration's rows
        ensure_appointment_purposes(AppointmentPurpose)
        purpose = AppointmentPurpose.objects.get(code=code)
    return purpose


def disengagement_reason(code: str = "no_point"):
    """A reason for refusing or withdrawing (the defaults are loaded by a migration)."""
    from cases.models import DisengagementReason
    from cases.reference_data import DISENGAGEMENT_REASONS

    names = {entry[0]: entry[1:] for entry in DISENGAGEMENT_REASONS}
    name, name_cy = names.get(code, (code.replace("_", " ").capitalize(), ""))
    return DisengagementReason.objects.get_or_create(
        code=code, defaults={"name": name, "name_cy": name_cy}
    )[0]


def trm_stage(number: int):
    """A TRM stage by number (the defaults are loaded by a migration)."""
    from cases.models import NeedCategory, TRMStage
    from cases.reference_data import ensure_defaults

    stage = TRMStage.objects.filter(number=number).first()
    if stage is None:  # a transactional test flushed the migration's rows
        ensure_defaults(NeedCategory, TRMStage)
        stage = TRMStage.objects.get(number=number)
    return stage


class YoungPersonFactory(DjangoModelFactory):
    class Meta:
        model = "cases.YoungPerson"

    team = factory.SubFactory(TeamFactory)
    reference = factory.Sequence(lambda n: f"YP{n:06d}")
    given_name = plain_name("first_name")
    family_name = plain_name("last_name")
    date_of_birth = factory.LazyFunction(lambda: date.today() - timedelta(days=15 * 365 + 100))
    gender = "male"
    ethnicity = "White British"
    referral_date = factory.LazyFunction(lambda: date.today() - timedelta(days=60))
    parent_consent_required = True


class CaseRecordFactory(DjangoModelFactory):
    class Meta:
        abstract = True

    young_person = factory.SubFactory(YoungPersonFactory)


class NeedFactory(CaseRecordFactory):
    class Meta:
        model = "cases.Need"

    category = factory.LazyFunction(lambda: need_category("substance_misuse"))
    recorded_on = factory.LazyAttribute(lambda need: need.young_person.referral_date)
    evidence = "Disclosed in assessment interview"


class OffenceFactory(CaseRecordFactory):
    class Meta:
        model = "cases.Offence"

    committed_on = factory.LazyAttribute(
        lambda offence: offence.young_person.referral_date - timedelta(days=30)
    )
    description = "Theft from a shop"
    gravity = 2


class OrderFactory(CaseRecordFactory):
    class Meta:
        model = "cases.Order"

    order_type = "referral_order"
    start_date = factory.LazyAttribute(lambda order: order.young_person.referral_date)
    end_date = factory.LazyAttribute(lambda order: order.start_date + timedelta(days=365))


class BreachFactory(CaseRecordFactory):
    class Meta:
        model = "cases.Breach"

    breach_date = factory.LazyAttribute(lambda breach: breach.young_person.referral_date)
    note = "Missed two appointments"


class CustodyEpisodeFactory(CaseRecordFactory):
    class Meta:
        model = "cases.CustodyEpisode"

    start_date = factory.LazyAttribute(lambda episode: episode.young_person.referral_date)
    end_date = None


class ConsentFactory(CaseRecordFactory):
    class Meta:
        model = "cases.Consent"

    party = "young_person"
    purpose = "participation"
    decision = "given"
    decided_on = factory.LazyAttribute(lambda consent: consent.young_person.referral_date)


class TRMAssessmentFactory(CaseRecordFactory):
    class Meta:
        model = "cases.TRMAssessment"

    stage = factory.LazyFunction(lambda: trm_stage(1))
    assessed_on = factory.LazyAttribute(lambda assessment: assessment.young_person.referral_date)
    rationale = "No routine at home; chaotic contact"


class AppointmentFactory(CaseRecordFactory):
    class Meta:
        model = "cases.Appointment"

    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=3))
    kind = "one_to_one"
    purpose_category = factory.LazyFunction(lambda: appointment_purpose("review"))
    purpose = "Review of the week and planning"
    duration_minutes = 60
    attendance = "attended"
    engagement = 4
    outcome_code = factory.LazyAttribute(
        lambda appointment: "achieved" if appointment.attendance == "attended" else ""
    )
    outcome = "Engaged well; agreed next steps"


# --- Formulation and supervision ---------------------------------------------------------------


class FormulationMeetingFactory(DjangoModelFactory):
    class Meta:
        model = "formulation.FormulationMeeting"

    young_person = factory.SubFactory(YoungPersonFactory)
    held_on = factory.LazyAttribute(lambda meeting: meeting.young_person.referral_date)
    kind = "initial"
    status = "held"
    chair = factory.SubFactory(UserFactory)


class MeetingAttendanceFactory(DjangoModelFactory):
    class Meta:
        model = "formulation.MeetingAttendance"

    meeting = factory.SubFactory(FormulationMeetingFactory)
    agency = factory.SubFactory(AgencyFactory)
    attended = True
    attendee_name = "A representative"


class FormulationFactory(DjangoModelFactory):
    class Meta:
        model = "formulation.Formulation"

    meeting = factory.SubFactory(FormulationMeetingFactory)
    presenting = "Offending with peers at weekends"
    predisposing = "Early adversity"
    precipitating = "School exclusion"
    perpetuating = "Unstructured days"
    protective = "A trusted aunt"
    trm_stage = factory.LazyFunction(lambda: trm_stage(1))
    trm_reasoning = "Needs a safe base first"
    recorded_by = factory.SelfAttribute("meeting.chair")


class AgreedActionFactory(DjangoModelFactory):
    class Meta:
        model = "formulation.AgreedAction"

    formulation = factory.SubFactory(FormulationFactory)
    description = "Share the formulation with school"
    owner = "Key worker"
    due_on = factory.LazyAttribute(lambda action: action.formulation.meeting.held_on)


class InterventionItemFactory(DjangoModelFactory):
    class Meta:
        model = "formulation.InterventionItem"

    young_person = factory.SubFactory(YoungPersonFactory)
    title = "Weekly routine with the key worker"
    trm_stage = factory.LazyFunction(lambda: trm_stage(1))
    responsible_person = "Key worker"
    sequence = factory.Sequence(lambda n: n + 1)


class SupervisionSessionFactory(DjangoModelFactory):
    class Meta:
        model = "supervision.SupervisionSession"
        skip_postgeneration_save = True

    held_on = factory.LazyFunction(date.today)
    psychologist = factory.SubFactory(UserFactory)
    practitioner = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    shared_notes = "Shared notes"
    private_notes = "Private reflective notes"

    @factory.post_generation
    def cases(self, create, extracted, **kwargs):
        if create and extracted:
            self.cases.set(extracted)


class SupervisionActionFactory(DjangoModelFactory):
    class Meta:
        model = "supervision.SupervisionAction"

    session = factory.SubFactory(SupervisionSessionFactory)
    description = "Try a walk-and-talk session"
    owner = "Practitioner"


def outside_owner(name: str) -> dict:
    """Who does an agreed action when it is someone outside the service: a name at an agency
    (the parts of an action dict the formulation and supervision services take)."""
    agency = AgencyFactory(code="partner-agency", name="Partner agency")
    return {"owner": name, "agency": agency}


class ComplianceDecisionFactory(CaseRecordFactory):
    """A decision on a missed appointment (the appointment is made missed, if not given)."""

    class Meta:
        model = "cases.ComplianceDecision"

    appointment = factory.SubFactory(
        AppointmentFactory,
        young_person=factory.SelfAttribute("..young_person"),
        attendance="did_not_attend",
        engagement=None,
        outcome="",
    )
    decision = "warning"
    reason = "Third late arrival; talked it through and agreed a reminder text"
    decided_on = factory.LazyFunction(date.today)
