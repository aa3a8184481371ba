"""Default reference data: the needs vocabulary and the seven TRM stages (DESIGN.md section 5).

Administrators edit both in the admin; a migration loads these defaults once.
"""

from accounts.models import ensure_vocabulary

#: code, English name, Welsh name
NEED_CATEGORIES = [
    ("substance_misuse", "Substance misuse", "Camddefnyddio sylweddau"),
    ("mental_health", "Mental health", "Iechyd meddwl"),
    ("self_harm", "Self-harm", "Hunan-niweidio"),
    ("domestic_abuse_experienced", "Experience of domestic abuse", "Profiad o gam-drin domestig"),
    ("physical_abuse_victim", "Victim of physical abuse", "Dioddefwr cam-drin corfforol"),
    ("sexual_abuse_victim", "Victim of sexual abuse", "Dioddefwr cam-drin rhywiol"),
    ("neglect", "Neglect", "Esgeulustod"),
    ("looked_after", "Looked after child", "Plentyn sy'n derbyn gofal"),
    ("child_protection", "Child protection", "Amddiffyn plant"),
    ("bereavement", "Bereavement", "Profedigaeth"),
    (
        "slcn",
        "Speech, language and communication needs",
        "Anghenion lleferydd, iaith a chyfathrebu",
    ),
    ("learning_disability", "Learning disability", "Anabledd dysgu"),
    (
        "send_aln",
        "Special educational needs / additional learning needs",
        "Anghenion addysgol arbennig / anghenion dysgu ychwanegol",
    ),
    ("neurodevelopmental", "Neurodevelopmental condition", "Cyflwr niwroddatblygiadol"),
    (
        "not_in_ete",
        "Not in education, training or employment",
        "Ddim mewn addysg, hyfforddiant na chyflogaeth",
    ),
    ("school_exclusion", "School exclusion", "Gwaharddiad o'r ysgol"),
    ("unstable_accommodation", "Unstable accommodation", "Llety ansefydlog"),
    ("exploitation", "Exploitation", "Camfanteisio"),
    ("parental_imprisonment", "Parental imprisonment", "Rhiant yn y carchar"),
]

#: code, English name, Welsh name, in the order the appointment form offers them (issue 15)
APPOINTMENT_PURPOSES = [
    ("relationship", "Building the relationship", "Meithrin y berthynas"),
    ("trm_stage_work", "TRM-stage work", "Gwaith cam y Model Adfer o Drawma"),
    ("offence_focused", "Offence-focused work", "Gwaith yn canolbwyntio ar droseddu"),
    ("ete", "Education, training or employment", "Addysg, hyfforddiant neu gyflogaeth"),
    ("health", "Health", "Iechyd"),
    ("family", "Family work", "Gwaith gyda'r teulu"),
    ("reparation", "Reparation", "Gwneud iawn"),
    ("review", "Review", "Adolygiad"),
    ("practical_support", "Practical support", "Cymorth ymarferol"),
    ("other", "Other", "Arall"),
]

#: The purpose an appointment recorded before purposes were coded is given (its free text
#: is kept as the detail).
OTHER_PURPOSE = "other"

#: number, (name, presenting behaviour, underlying need, interventions) in English, then Welsh
TRM_STAGES = [
    (
        1,
        (
            "Routine and consistency",
            "Chaotic, unpredictable behaviour; frequent offending; no routine",
            "A safe base: basic care, safety and predictable routine",
            "Stabilise accommodation and basic needs; consistent, predictable contact; clear routine",
        ),
        (
            "Trefn a chysondeb",
            "Ymddygiad anhrefnus ac anrhagweladwy; troseddu aml; dim trefn",
            "Sylfaen ddiogel: gofal sylfaenol, diogelwch a threfn ragweladwy",
            "Sefydlogi llety ac anghenion sylfaenol; cyswllt cyson a rhagweladwy; trefn glir",
        ),
    ),
    (
        2,
        (
            "Supportive relationships",
            "Mistrust of adults; tests and rejects relationships",
            "Trust in at least one consistent adult",
            "Relationship-building with a key worker; mentoring; reliable follow-through",
        ),
        (
            "Perthnasoedd cefnogol",
            "Diffyg ymddiriedaeth mewn oedolion; profi a gwrthod perthnasoedd",
            "Ymddiriedaeth mewn o leiaf un oedolyn cyson",
            "Meithrin perthynas â gweithiwr allweddol; mentora; dilyn drwodd yn ddibynadwy",
        ),
    ),
    (
        3,
        (
            "Emotional regulation",
            "Impulsive, explosive reactions; difficulty calming down",
            "Skills to recognise and manage emotions",
            "Emotional literacy; regulation and calming strategies; sensory work",
        ),
        (
            "Rheoli emosiynau",
            "Ymatebion byrbwyll a ffrwydrol; anhawster ymdawelu",
            "Sgiliau i adnabod a rheoli emosiynau",
            "Llythrennedd emosiynol; strategaethau rheoli ac ymdawelu; gwaith synhwyraidd",
        ),
    ),
    (
        4,
        (
            "Working through trauma",
            "Trauma symptoms surface as trust grows",
            "Space to process trauma safely",
            "Therapeutic work through CAMHS or FACTS; trauma-focused interventions",
        ),
        (
            "Gweithio drwy drawma",
            "Symptomau trawma'n dod i'r golwg wrth i ymddiriedaeth dyfu",
            "Lle i brosesu trawma'n ddiogel",
            "Gwaith therapiwtig drwy CAMHS neu FACTS; ymyriadau sy'n canolbwyntio ar drawma",
        ),
    ),
    (
        5,
        (
            "Reflection and consequential thinking",
            "Beginning to reflect on own behaviour",
            "Understanding of consequences and of others' perspectives",
            "Offence-focused work; victim awareness; restorative approaches",
        ),
        (
            "Myfyrio a meddwl am ganlyniadau",
            "Dechrau myfyrio ar ei ymddygiad ei hun",
            "Dealltwriaeth o ganlyniadau a safbwyntiau pobl eraill",
            "Gwaith sy'n canolbwyntio ar droseddu; ymwybyddiaeth o ddioddefwyr; dulliau adferol",
        ),
    ),
    (
        6,
        (
            "Identity and future",
            "Thinking about who they are and want to be",
            "A pro-social identity and a sense of a future",
            "Education, training and employment; positive activities; pro-social identity work",
        ),
        (
            "Hunaniaeth a'r dyfodol",
            "Meddwl am bwy ydyn nhw a phwy maen nhw eisiau bod",
            "Hunaniaeth gymdeithasol gadarnhaol ac ymdeimlad o ddyfodol",
            "Addysg, hyfforddiant a chyflogaeth; gweithgareddau cadarnhaol; gwaith hunaniaeth",
        ),
    ),
    (
        7,
        (
            "Independence and transition",
            "Ready to manage with less support",
            "Confidence and skills for independence",
            "Transition planning; independent living skills; step-down of support",
        ),
        (
            "Annibyniaeth a phontio",
            "Yn barod i ymdopi â llai o gymorth",
            "Hyder a sgiliau ar gyfer annibyniaeth",
            "Cynllunio pontio; sgiliau byw'n annibynnol; lleihau cymorth yn raddol",
        ),
    ),
]


#: code, English name, Welsh name: reasons for refusing or withdrawing (issue 15)
DISENGAGEMENT_REASONS = [
    ("no_point", "Didn't see the point", "Ddim yn gweld y pwynt"),
    ("family_opposed", "Family opposed", "Y teulu yn gwrthwynebu"),
    ("moved_away", "Moved away", "Wedi symud i ffwrdd"),
    ("too_many_appointments", "Too many appointments", "Gormod o apwyntiadau"),
    ("relationship_with_worker", "Relationship with the worker", "Y berthynas â'r gweithiwr"),
    ("other", "Other", "Arall"),
]


def ensure_disengagement_reasons(reason_model) -> None:
    """Create any default reason for refusing or withdrawing that is missing (edits kept)."""
    ensure_vocabulary(reason_model, DISENGAGEMENT_REASONS)


def ensure_defaults(need_category_model, trm_stage_model) -> None:
    """Create any default need category or TRM stage that is missing (edits are kept)."""
    ensure_vocabulary(need_category_model, NEED_CATEGORIES)
    for number, english, welsh in TRM_STAGES:
        trm_stage_model.objects.get_or_create(
            number=number,
            defaults={
                "name": english[0],
                "presenting_behaviour": english[1],
                "underlying_need": english[2],
                "interventions": english[3],
                "name_cy": welsh[0],
                "presenting_behaviour_cy": welsh[1],
                "underlying_need_cy": welsh[2],
                "interventions_cy": welsh[3],
            },
        )


def ensure_appointment_purposes(appointment_purpose_model) -> None:
    """Create any default appointment purpose that is missing (edits are kept)."""
    ensure_vocabulary(appointment_purpose_model, APPOINTMENT_PURPOSES, order_field="sequence")
