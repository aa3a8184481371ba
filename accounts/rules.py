"""Separation of duties (DESIGN.md section 6): who may hold which role.

An administrator never holds a case role (practitioner, manager, psychologist) and cannot
give one to themselves: administrators manage users and teams, and never read case records.
This module is the one place the rule lives; every way of writing a membership (the Django
admin, the ``grant_role`` command, the exchange importer) asks it through
:mod:`accounts.services`.
"""

from django.utils.translation import gettext as _

from .models import AGENCY_ROLES, TEAM_ROLES, Role

#: The roles that read case records.
CASE_ROLES = TEAM_ROLES


def membership_refusal(user, role: str, *, by=None, held=None) -> str | None:
    """Why `user` may not be given `role` (by `by`, if a person), or ``None`` if they may.

    `held` is the set of roles the user would hold alongside it; by default the roles they
    hold now. Callers that change several memberships at once (a form with many rows, an
    import) pass the roles the user will hold once every other change is made.
    """
    if held is None:
        held = set(user.memberships.values_list("role", flat=True)) if user.pk else set()
    held = set(held)
    if role in AGENCY_ROLES or held & AGENCY_ROLES:
        refusal = _partner_refusal(user, role, held)
        if refusal:
            return refusal
    if role in CASE_ROLES:
        if by is not None and user.pk is not None and by.pk == user.pk:
            return _("You cannot give yourself a case role (practitioner, manager, psychologist).")
        if Role.ADMIN in held:
            return _(
                "An administrator cannot hold a case role (practitioner, manager, "
                "psychologist): administrators never read case records. Remove the "
                "administrator role first, or use a separate account."
            )
    if role == Role.ADMIN and held & CASE_ROLES:
        return _(
            "A person with a case role (practitioner, manager, psychologist) cannot be an "
            "administrator: administrators never read case records. Remove their case roles "
            "first, or use a separate account."
        )
    return None


def _partner_refusal(user, role: str, held: set) -> str | None:
    """A partner agency worker is someone outside the YOT (issue 18, DESIGN.md section 6):
    they belong to an agency and hold no other role, so what they reach is decided by their
    agency's work alone, never widened by a team role or a service-wide one."""
    if role in AGENCY_ROLES:
        if user.agency_id is None:
            return _(
                "A partner agency worker must belong to an agency: choose their agency "
                "before giving them the role."
            )
        if held - AGENCY_ROLES:
            return _(
                "A partner agency worker cannot hold any other role: they are not a member "
                "of the YOT. Remove their other roles first, or use a separate account."
            )
        return None
    return _(
        "A partner agency worker cannot hold any other role: they are not a member of the "
        "YOT. Remove the partner role first, or use a separate account."
    )
