"""The permission matrix: every URL name, what each role gets, for own- and other-team objects.

Each issue that adds a URL adds a row here. ``test_every_url_has_a_row`` fails for a URL
name the table does not list, so a new page cannot ship without a decision about who may
open it.

Rows of pages that show identifiable young people say so (``shows_young_people``): every
allowed GET of such a page must write the access log (DESIGN.md: every view of a case record).

Outcomes are what the user sees: ``OK`` (200), ``SIGN_IN`` (sent to the sign-in page),
``FORBIDDEN`` (403), ``NOT_FOUND`` (404, also for records outside the user's teams, so
existence does not leak) and ``REDIRECT`` (302 somewhere other than sign-in).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

OK = "ok"
SIGN_IN = "sign-in"
FORBIDDEN = "forbidden"
NOT_FOUND = "not-found"
REDIRECT = "redirect"

ROLES = ("anonymous", "practitioner", "manager", "psychologist", "evaluator", "admin", "partner")
SIGNED_IN = ROLES[1:]


def everyone(outcome: str) -> dict[str, str]:
    return dict.fromkeys(ROLES, outcome)


def signed_in(outcome: str, **overrides: str) -> dict[str, str]:
    """Anonymous users are sent to sign in; every role gets `outcome` unless overridden.

    A partner agency worker (issue 18) reads no YOT page about a case: where a row says what
    an evaluator gets — the other role that reads no case record — the partner gets the
    same, unless the row says otherwise with ``partner=``.
    """
    expect = {"anonymous": SIGN_IN, **dict.fromkeys(SIGNED_IN, outcome), **overrides}
    if "partner" not in overrides and "evaluator" in overrides:
        expect["partner"] = overrides["evaluator"]
    return expect


def only(outcome: str, roles: tuple[str, ...], otherwise: str = FORBIDDEN) -> dict[str, str]:
    """`outcome` for the named roles, `otherwise` for the other signed-in roles (a partner
    among them unless named)."""
    return signed_in(otherwise, **{"partner": otherwise, **dict.fromkeys(roles, outcome)})


@dataclass(frozen=True)
class Row:
    url_name: str
    expect: dict[str, str]
    #: For URLs about one object: the expectations when the object is in another team.
    #: ``kwargs(world, own)`` builds the URL arguments from the test world.
    other_team: dict[str, str] | None = None
    kwargs: Callable | None = None
    method: str = "get"
    data: dict = field(default_factory=dict)
    #: Covers every URL name that starts with this prefix (e.g. the Django admin's).
    covers_prefix: str | None = None
    #: The page shows identifiable young people (one record, or a list): a successful GET
    #: writes an access-log row (``test_a_page_showing_young_people_writes_the_access_log``).
    shows_young_people: bool = False
    #: Why such a page does not write its row yet (a change in progress elsewhere); the
    #: access-log test is then a strict expected failure, so fixing it makes the test say so.
    access_log_gap: str = ""


def case_kwargs(world, own: bool) -> dict:
    """URL arguments for a young person in the user's team (own) or another team."""
    return {"pk": world["own_case" if own else "other_case"].pk}


def record_kwargs(kind: str, pk_name: str = "record_pk"):
    """URL arguments for one record (`world["own_records"][kind]`) of the own/other case."""

    def build(world, own: bool) -> dict:
        record = world["own_records" if own else "other_records"][kind]
        return {"pk": record.young_person_id, pk_name: record.pk}

    return build


def team_kwargs(world, own: bool) -> dict:
    return {"code": world["own_team" if own else "other_team"].code}


MATRIX: list[Row] = [
    # Every role has a home page; it names young people (today's appointments, meetings).
    # A partner's home is their agency's young people (rows_partners.py).
    Row("home", signed_in(OK, partner=REDIRECT), shows_young_people=True),
    Row("healthz", everyone(OK)),
    Row("set_language", everyone(REDIRECT), method="post", data={"language": "cy", "next": "/"}),
    Row("accounts:login", {"anonymous": OK, **dict.fromkeys(SIGNED_IN, REDIRECT)}),
    Row("accounts:logout", everyone(SIGN_IN), method="post"),
    Row("accounts:password-change", signed_in(OK)),
    Row("accounts:two-factor-setup", signed_in(OK)),
    Row("accounts:two-factor-verify", signed_in(OK)),
    # "Stay signed in" returns to the page it was pressed on. Drafts are only ever the
    # user's own; a key that is not a page keeping drafts is not found (tests/accounts/
    # test_drafts.py covers keeping and discarding real ones).
    Row("accounts:keep-alive", signed_in(REDIRECT), method="post", data={"next": "/"}),
    Row("accounts:draft-save", signed_in(NOT_FOUND), method="post", data={"ecm_draft_key": "/"}),
    Row(
        "accounts:draft-discard",
        signed_in(NOT_FOUND),
        method="post",
        data={"ecm_draft_key": "/"},
    ),
    Row("admin:index", only(OK, ("admin",)), covers_prefix="admin:"),
]


def _extend_from_area_modules() -> None:
    # Each area of the service keeps its rows in its own module, beside this one.
    from . import (
        rows_caseload,
        rows_eligibility,
        rows_formulation,
        rows_partners,
        rows_records,
        rows_reports,
        rows_retention,
        rows_supervision,
        rows_transfer_links,
        rows_transfers,
        rows_work,
        rows_workforce,
        rows_young_people,
    )

    for module in (
        rows_young_people,
        rows_records,
        rows_caseload,
        rows_eligibility,
        rows_formulation,
        rows_supervision,
        rows_reports,
        rows_work,
        rows_workforce,
        rows_transfers,
        rows_retention,
        rows_transfer_links,
        rows_partners,
    ):
        MATRIX.extend(module.ROWS)


_extend_from_area_modules()


def url_names(resolver=None, namespace: str = "") -> set[str]:
    """Every named URL in the URLconf, with its namespace (``accounts:login``)."""
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def names_without_a_row(urlconf=None) -> set[str]:
    resolver = get_resolver(urlconf)
    listed = {row.url_name for row in MATRIX}
    prefixes = tuple(row.covers_prefix for row in MATRIX if row.covers_prefix)
    return {
        name for name in url_names(resolver) if name not in listed and not name.startswith(prefixes)
    }
