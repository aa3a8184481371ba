"""The partner pages' place in the benchmarks (bench/run.py)."""

import pytest

from bench import run
from seed import factories
from tests.conftest import client_for

from . import test_pages
from .conftest import consent

pytestmark = pytest.mark.urls("bench.urls")


def test_bench_budgets_are_the_ones_the_partner_page_tests_assert():
    assert run.BUDGETS["partners:home"] == test_pages.HOME_BUDGET
    assert run.BUDGETS["partners:youngperson-detail"] == test_pages.DETAIL_BUDGET


def test_the_bench_partner_gets_both_pages_about_a_consenting_young_person(team_a, education):
    person = factories.YoungPersonFactory(team=team_a)
    consent(person)
    consent(person, "parent_carer")
    factories.YoungPersonFactory(team=team_a)  # no consent: out of the partner's scope

    subjects = type("Subjects", (), {"team": team_a})()
    pages = run.partner_pages(subjects)

    assert [page.label for page in pages] == ["Partner's young people", "Partner's young person"]
    assert pages[1].url.endswith(f"/partners/{person.pk}/")
    for page in pages:
        client = client_for(page.user)
        assert client.get(page.url).status_code == 200
        assert client.get(page.baseline_url).status_code == 200
