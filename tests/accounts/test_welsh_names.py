"""Teams and agencies have Welsh names, shown to Welsh readers with the English as fallback;
the administration pages read in Welsh too."""

from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from accounts.models import Agency, Team, labels_by_code
from formulation.forms import MeetingForm
from seed.demo.organisations import seed_agencies, seed_teams
from tests.conftest import client_for


def test_a_team_is_named_in_the_readers_language(team_a):
    team_a.name_cy = "Tîm A Cymraeg"
    team_a.save()
    with translation.override("cy"):
        assert (team_a.label, str(team_a)) == ("Tîm A Cymraeg", "Tîm A Cymraeg")
    with translation.override("en-gb"):
        assert (team_a.label, str(team_a)) == ("Team A", "Team A")


def test_a_team_without_a_welsh_name_shows_the_english_to_welsh_readers(team_a):
    assert team_a.name_cy == ""
    with translation.override("cy"):
        assert team_a.label == "Team A"
        assert labels_by_code(Team, ["team-a"]) == {"team-a": "Team A"}


def test_names_by_code_follow_the_readers_language(team_a, team_b):
    team_b.name_cy = "Tîm B"
    team_b.save()
    with translation.override("cy"):
        assert labels_by_code(Team) == {"team-a": "Team A", "team-b": "Tîm B"}
    with translation.override("en-gb"):
        assert labels_by_code(Team, ["team-b"]) == {"team-b": "Team B"}


def test_the_team_page_shows_the_welsh_name_in_welsh_and_the_english_in_english(manager, team_a):
    team_a.name_cy = "Tîm Sir y Fflint"
    team_a.save()
    page = reverse("cases:team-detail", kwargs={"code": team_a.code})
    welsh = client_for(manager).get(page, HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    english = client_for(manager).get(page, HTTP_ACCEPT_LANGUAGE="en-gb").content.decode()
    assert f'<h1 class="govuk-heading-xl">{escape("Tîm Sir y Fflint")}</h1>' in welsh
    assert '<h1 class="govuk-heading-xl">Team A</h1>' in english


def test_the_home_page_names_the_users_team_in_welsh(practitioner, team_a):
    team_a.name_cy = "Tîm Caerfyrddin"
    team_a.save()
    welsh = client_for(practitioner).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="cy")
    assert escape("Tîm Caerfyrddin") in welsh.content.decode()


def test_agencies_offered_for_a_meeting_are_named_in_the_readers_language(db):
    Agency.objects.create(code="police", name="Police", name_cy="Heddlu")
    Agency.objects.create(code="youth", name="Youth service")
    with translation.override("cy"):
        offered = [label for _value, label in MeetingForm().fields["agencies"].choices]
    assert offered == ["Heddlu", "Youth service"]


def test_the_demonstration_teams_and_agencies_have_welsh_names(db):
    teams, agencies = seed_teams(), seed_agencies()
    assert teams["flintshire"].name_cy == "Sir y Fflint"
    assert agencies["police"].name_cy == "Heddlu"
    assert all(team.name_cy for team in teams.values())
    assert all(agency.name_cy for agency in agencies.values())


# --- The administration pages -----------------------------------------------------------------


def test_the_team_admin_list_reads_in_welsh(administrator, team_a):
    team_a.name_cy = "Tîm A Cymraeg"
    team_a.save()
    response = client_for(administrator).get(
        reverse("admin:accounts_team_changelist"), HTTP_ACCEPT_LANGUAGE="cy"
    )
    page = response.content.decode()
    assert response.status_code == 200
    # The column headings (the fields' names) and the app's name, in Welsh.
    assert "Enw (Saesneg)" in page
    assert "Enw (Cymraeg)" in page
    assert "Cyfrifon a thimau" in page
    assert escape("Tîm A Cymraeg") in page


def test_the_team_admin_form_explains_the_welsh_name_in_welsh(administrator, team_a):
    response = client_for(administrator).get(
        reverse("admin:accounts_team_change", args=[team_a.pk]), HTTP_ACCEPT_LANGUAGE="cy"
    )
    page = response.content.decode()
    assert escape("gadewch yn wag i ddangos yr enw Saesneg") in page
    assert "leave empty" not in page


def test_the_trm_stage_admin_form_titles_its_sections_in_welsh(administrator):
    from cases.models import TRMStage

    stage = TRMStage.objects.order_by("number").first()
    response = client_for(administrator).get(
        reverse("admin:cases_trmstage_change", args=[stage.pk]), HTTP_ACCEPT_LANGUAGE="cy"
    )
    page = response.content.decode()
    assert "Yn Saesneg" in page
    assert "Yn Gymraeg" in page
    assert "Cofnodion achosion" in page
