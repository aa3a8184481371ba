"""A decision's evidence is written from the values it stored, in whoever reads it's language."""

import importlib
import re
from datetime import date
from html import unescape

from django.urls import reverse

from eligibility import services
from eligibility.models import EligibilityDecision
from tests.conftest import client_for
from tests.eligibility.test_pages import referral

#: The data migration that rewrote the stored English sentences as values.
evidence_migration = importlib.import_module("eligibility.migrations.0003_evidence_as_values")


def decision_page(reader, person, language):
    return client_for(reader).get(
        reverse("eligibility:decision-list", kwargs={"pk": person.pk}),
        HTTP_ACCEPT_LANGUAGE=language,
    )


def evidence_column(response, decision) -> list[str]:
    """The Evidence cell of each criterion in the decision's card, as a reader sees it."""
    html = response.content.decode()
    card = html[html.index(f'id="decision-{decision.pk}"') :]
    body = card[card.index("<tbody") : card.index("</tbody>")]
    rows = re.findall(r"<tr.*?</tr>", body, re.S)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in rows]
    return [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", c[2]))).strip() for c in cells]


def test_the_same_decision_reads_in_welsh_and_in_english(team_a, practitioner, default_policies):
    person = referral(team_a, date(2016, 3, 1), offences=2, needs=3, practitioner=practitioner)
    decision = services.eligibility_check(by=practitioner, young_person=person)
    assert all("evidence" not in criterion for criterion in decision.criteria)

    welsh = evidence_column(decision_page(practitioner, person, "cy"), decision)
    english = evidence_column(decision_page(practitioner, person, "en-gb"), decision)

    assert welsh[0] == "2 drosedd rhwng 1 Mawrth 2014 a 1 Mawrth 2016 (angen o leiaf 5)"
    assert "Esgeulustod, Iechyd meddwl" in welsh[1]
    assert welsh[2].startswith("Yn destun gorchymyn atgyfeirio o 1 Mawrth 2016")
    assert english[0] == "2 offences between 1 March 2014 and 1 March 2016 (at least 5 needed)"
    assert "Mental health, Neglect" in english[1]
    assert english[2] == "On a referral order from 1 March 2016, with no end date"


def test_a_decision_stored_as_a_sentence_is_still_shown(team_a, practitioner, default_policies):
    person = referral(team_a, date(2016, 3, 1), offences=5, needs=3, practitioner=practitioner)
    decision = services.eligibility_check(by=practitioner, young_person=person)
    EligibilityDecision.objects.filter(pk=decision.pk).update(
        criteria=[{"code": "offences", "met": True, "evidence": "Written before values"}]
    )
    welsh = evidence_column(decision_page(practitioner, person, "cy"), decision)
    assert welsh == ["Written before values"]


# --- The migration from stored sentences -----------------------------------------------------


NEED_CODES = {"Mental health": "mental_health", "Neglect": "neglect", "Self-harm": "self_harm"}


def converted(code, evidence):
    criterion = {"code": code, "met": True, "evidence": evidence}
    return evidence_migration.as_values(criterion, NEED_CODES)


def test_the_migration_reads_each_sentence_the_rules_wrote():
    assert converted(
        "offences", "7 offences between 2014-03-01 and 2016-03-01 (at least 5 needed)"
    )["values"] == {"count": 7, "start": "2014-03-01", "end": "2016-03-01", "minimum": 5}
    assert converted(
        "needs",
        "2 need categories recorded by 2016-03-01: Mental health, Neglect (at least 3 needed)",
    )["values"] == {
        "count": 2,
        "date": "2016-03-01",
        "codes": ["mental_health", "neglect"],
        "minimum": 3,
    }
    assert converted("needs", "0 need categories recorded by 2016-03-01")["values"] == {
        "count": 0,
        "date": "2016-03-01",
        "codes": [],
        "minimum": 0,
    }
    assert converted("order", "On a referral order 2016-01-10 to 2016-10-09")["values"] == {
        "outcome": "on_order",
        "order_type": "referral_order",
        "start": "2016-01-10",
        "end": "2016-10-09",
    }
    open_ended = converted("order", "On a youth rehabilitation order 2016-01-10 to no end date")
    assert open_ended["values"]["end"] is None
    assert converted("order", "Not on a statutory order on 2016-03-01")["values"] == {
        "outcome": "no_order",
        "date": "2016-03-01",
    }
    assert converted("offences", "No minimum number of offences")["values"] == {"minimum": 0}


def test_the_migration_keeps_a_sentence_it_cannot_read():
    welsh = {"code": "order", "met": True, "evidence": "Cymryd rhan yn wirfoddol"}
    renamed = {
        "code": "needs",
        "met": False,
        "evidence": "1 need category recorded by 2016-03-01: Housing",
    }
    assert evidence_migration.as_values(welsh, NEED_CODES) == welsh
    assert evidence_migration.as_values(renamed, NEED_CODES) == renamed


def test_the_migration_rewrites_stored_decisions(team_a, practitioner, default_policies):
    from django.apps import apps

    person = referral(team_a, date(2016, 3, 1), offences=5, needs=3, practitioner=practitioner)
    decision = services.eligibility_check(by=practitioner, young_person=person)
    sentence = [
        {
            "code": "offences",
            "met": True,
            "evidence": "5 offences between 2015-03-01 and 2016-03-01 (at least 5 needed)",
        },
        {"code": "order", "met": True, "evidence": "Voluntary participation"},
    ]
    EligibilityDecision.objects.filter(pk=decision.pk).update(criteria=sentence)

    evidence_migration.forwards(apps, None)

    decision.refresh_from_db()
    assert decision.criteria == [
        {
            "code": "offences",
            "met": True,
            "values": {"count": 5, "start": "2015-03-01", "end": "2016-03-01", "minimum": 5},
        },
        {"code": "order", "met": True, "values": {"outcome": "voluntary"}},
    ]
