"""What the scale data is made of: team names, the shape of the staff, and the weighted
choices every young person's story is drawn from (names, offences, orders, endings, contacts,
notes). Data only, so a figure can be tuned without reading the builders."""

from datetime import time as clock

from cases.models import Attendance, ConsentParty, EndReason, OrderType

#: Team codes are ``scale-team-001`` ...; staff usernames start with ``scale-``.
TEAM_CODE = "scale-team-{:03d}"
STAFF_PREFIX = "scale-"
#: Young people per practitioner, and teams each psychologist serves.
PEOPLE_PER_PRACTITIONER = 15
TEAMS_PER_PSYCHOLOGIST = 3
#: Referrals are spread over this many days before today.
HISTORY_DAYS = 5 * 365
#: Share of young people who start ECM (if their start date has come).
START_RATE = 0.72
#: Mean days on ECM per young person (counting those who never start as 0) that the
#: distributions below give; appointments are spread at a rate that makes the mean number
#: per young person the requested one.
MEAN_DAYS_ON_ECM = 155.0

PLACE_STARTS = [
    "Aber",
    "Llan",
    "Pont",
    "Caer",
    "Tre",
    "Pen",
    "Cwm",
    "Bryn",
    "Rhos",
    "Glyn",
    "Nant",
    "Maes",
    "Dol",
    "Coed",
    "Bettws",
]
PLACE_ENDS = [
    "gwyn",
    "dulais",
    "fawr",
    "teg",
    "fach",
    "wen",
    "ddu",
    "aeron",
    "afon",
    "garth",
    "hir",
    "celyn",
]
MALE_NAMES = [
    "Cai",
    "Dylan",
    "Rhys",
    "Osian",
    "Tomos",
    "Jac",
    "Ioan",
    "Kieran",
    "Liam",
    "Callum",
    "Aled",
    "Ryan",
    "Gethin",
    "Iwan",
    "Owain",
    "Harri",
    "Macsen",
    "Connor",
    "Jordan",
    "Evan",
]
FEMALE_NAMES = [
    "Lowri",
    "Ffion",
    "Seren",
    "Megan",
    "Cerys",
    "Nia",
    "Elin",
    "Chloe",
    "Tia",
    "Jade",
    "Carys",
    "Shannon",
    "Alaw",
    "Mali",
    "Gwen",
    "Efa",
    "Catrin",
    "Leah",
    "Courtney",
    "Sioned",
]
GENDERS = [("male", 68), ("female", 28), ("other", 2), ("not_stated", 2)]
ETHNICITIES = [
    ("White Welsh", 40),
    ("White British", 35),
    ("White other", 4),
    ("Mixed", 7),
    ("Black British", 4),
    ("Asian British", 4),
    ("Gypsy, Roma or Traveller", 2),
    ("Not stated", 4),
]
#: description, YJB gravity score, how often
OFFENCES = [
    ("Theft from a shop", 2, 14),
    ("Criminal damage", 2, 12),
    ("Common assault", 3, 12),
    ("Possession of cannabis", 1, 8),
    ("Public order offence", 2, 8),
    ("Burglary (non-dwelling)", 4, 6),
    ("Taking a vehicle without consent", 4, 6),
    ("Assault occasioning actual bodily harm", 5, 6),
    ("Possession of a bladed article", 5, 5),
    ("Burglary (dwelling)", 6, 3),
    ("Robbery", 6, 3),
    ("Possession with intent to supply a class A drug", 6, 2),
    ("Arson endangering life", 7, 1),
    ("Wounding with intent", 7, 1),
    ("Attempted murder", 8, 0.2),
]
STATUTORY_ORDERS = [
    (OrderType.REFERRAL_ORDER, 45),
    (OrderType.YOUTH_REHABILITATION_ORDER, 40),
    (OrderType.REPARATION_ORDER, 8),
    (OrderType.DETENTION_TRAINING_ORDER, 7),
]
OUT_OF_COURT = [
    (OrderType.YOUTH_CONDITIONAL_CAUTION, 50),
    (OrderType.YOUTH_CAUTION, 30),
    (OrderType.COMMUNITY_RESOLUTION, 20),
]
#: Why a young person did not start ECM (the parent's refusal only when it is required).
NOT_STARTED = [("ineligible", 40), ("young_person_refused", 35), ("parent_refused", 15), ("", 10)]
#: How a case ends, how often, and how long it lasts before it does (days).
ENDINGS = [
    (EndReason.COMPLETED, 55, 240, 720),
    (EndReason.WITHDRAWN, 15, 30, 300),
    (EndReason.MOVED_AWAY, 10, 30, 400),
    (EndReason.CUSTODY, 12, 30, 400),
    (EndReason.OTHER, 8, 30, 400),
]
KINDS = [
    ("one_to_one", 50),
    ("home_visit", 20),
    ("phone", 12),
    ("group", 6),
    ("agency_session", 8),
    ("other", 4),
]
NOT_ATTENDED = [
    (Attendance.DID_NOT_ATTEND, 45),
    (Attendance.CANCELLED_BY_YOUNG_PERSON, 20),
    (Attendance.CANCELLED_BY_SERVICE, 18),
    (Attendance.REARRANGED, 17),
]
#: How likely each party is to give consent to the evaluation, once asked.
EVALUATION_GIVEN_RATE = {ConsentParty.YOUNG_PERSON: 0.82, ConsentParty.PARENT_CARER: 0.85}
MISSED_OUTCOMES = {
    Attendance.DID_NOT_ATTEND: "Did not attend; texted to rearrange.",
    Attendance.CANCELLED_BY_YOUNG_PERSON: "Cancelled by text the same morning.",
    Attendance.CANCELLED_BY_SERVICE: "Practitioner off sick; rearranged.",
    Attendance.REARRANGED: "Moved to later in the week at the young person's request.",
}
TIMES = [clock(hour, minute) for hour in range(9, 18) for minute in (0, 30)]
NEED_EVIDENCE = [
    "Identified in the AssetPlus assessment.",
    "Reported by the school.",
    "Disclosed by the young person in interview.",
    "From the children's services referral.",
    "Confirmed in a CAMHS assessment letter.",
]
BREACH_NOTES = [
    "Missed three appointments in a row.",
    "Did not attend the reparation session twice.",
    "Broke the curfew condition.",
]
REFUSAL_NOTES = [
    "Did not want another worker involved.",
    "Said they already had too many appointments.",
    "",
]
WITHDRAWAL_NOTES = [
    "Said the sessions were too much alongside college.",
    "Felt they no longer needed the support.",
    "Did not get on with the worker and wanted to stop.",
    "Family moving out of the area soon; did not see the point.",
]
EVALUATION_WITHDRAWAL_NOTES = [
    "Does not want their information used for research any more.",
    "Parent asked for the information not to be used in the evaluation.",
]
OVERRIDE_IN = [
    "Offending is escalating; the panel agreed ECM is the right response.",
    "Needs are severe and complex; the manager agreed to offer ECM.",
]
OVERRIDE_OUT = ["Already receiving intensive support from children's services."]
TRM_RATIONALES = {
    1: "No routine at home; chaotic and unpredictable contact.",
    2: "Starting to trust the key worker but tests the relationship.",
    3: "Angry outbursts when challenged; working on calming strategies.",
    4: "Trauma history surfacing as trust grows; referred for therapy.",
    5: "Beginning to reflect on offending and its effect on others.",
    6: "Talking about college and a future; new pro-social friends.",
    7: "Managing with less support; planning the step-down.",
}
#: TRM stage, what, responsible agency code (or None), responsible person
INTERVENTIONS = [
    (1, "Agree a weekly routine and a consistent key worker", None, "YOT key worker"),
    (1, "Stabilise accommodation with the housing officer", "housing", "Housing officer"),
    (2, "Mentoring with the same mentor every week", None, "Mentor"),
    (3, "Emotional regulation work: noticing anger early", "health", "CAMHS practitioner"),
    (3, "Substance misuse sessions", "substance_misuse", "Substance misuse worker"),
    (4, "Trauma-focused therapy", "facts", "FACTS clinician"),
    (5, "Victim awareness and offence-focused sessions", None, "YOT key worker"),
    (6, "College taster days and an application", "education", "Careers adviser"),
    (7, "Transition plan and step-down of support", "childrens_services", "Social worker"),
]
#: Who does an agreed action given to the allocated practitioner.
KEY_WORKER = "YOT key worker"
AGREED_ACTIONS = [
    ("Share the formulation with the school", KEY_WORKER),
    ("Refer to CAMHS for an assessment", "Psychologist"),
    ("Arrange a home visit with the parent", KEY_WORKER),
    ("Find a mentor with an interest in football", "Mentoring service"),
]
SUPERVISION_NOTES = [
    "Talked through engagement and what is working in sessions.",
    "Explored how the formulation explains the recent missed appointments.",
    "Reviewed the TRM stage and whether offence-focused work is premature.",
]
PRIVATE_NOTES = [
    "Practitioner reflected on feeling stuck with one case.",
    "Discussed the emotional impact of a difficult disclosure.",
]
SUPERVISION_ACTIONS = [
    "Try a walk-and-talk session",
    "Ask the school about a reduced timetable",
    "Book a joint visit with the psychologist",
]


def _cumulative(weighted):
    values, weights = zip(*weighted, strict=True)
    total, cum = 0.0, []
    for weight in weights:
        total += weight
        cum.append(total)
    return list(values), cum


GENDER_CHOICES = _cumulative(GENDERS)
ETHNICITY_CHOICES = _cumulative(ETHNICITIES)
OFFENCE_CHOICES = _cumulative([((text, gravity), weight) for text, gravity, weight in OFFENCES])
STATUTORY_CHOICES = _cumulative(STATUTORY_ORDERS)
OUT_OF_COURT_CHOICES = _cumulative(OUT_OF_COURT)
NOT_STARTED_CHOICES = _cumulative(NOT_STARTED)
ENDING_CHOICES = _cumulative([((r, low, high), weight) for r, weight, low, high in ENDINGS])
KIND_CHOICES = _cumulative(KINDS)
NOT_ATTENDED_CHOICES = _cumulative(NOT_ATTENDED)


def team_name(index: int) -> str:
    """A Welsh-sounding, made-up name for team `index` (1-based)."""
    start = PLACE_STARTS[(index - 1) % len(PLACE_STARTS)]
    end = PLACE_ENDS[((index - 1) // len(PLACE_STARTS)) % len(PLACE_ENDS)]
    cycle = (index - 1) // (len(PLACE_STARTS) * len(PLACE_ENDS))
    name = f"{start}{end} Youth Justice Service"
    return f"{name} {cycle + 1}" if cycle else name


def team_name_cy(index: int) -> str:
    """The Welsh name of team `index`: the same place, "Gwasanaeth Cyfiawnder Ieuenctid"."""
    start = PLACE_STARTS[(index - 1) % len(PLACE_STARTS)]
    end = PLACE_ENDS[((index - 1) // len(PLACE_STARTS)) % len(PLACE_ENDS)]
    cycle = (index - 1) // (len(PLACE_STARTS) * len(PLACE_ENDS))
    name = f"Gwasanaeth Cyfiawnder Ieuenctid {start}{end}"
    return f"{name} {cycle + 1}" if cycle else name


def reference(seed: int, number: int) -> str:
    return f"SCALE-{seed}-{number}"
