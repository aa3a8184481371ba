"""Writing memberships: every grant, change and removal of a role goes through here.

Each write is checked against the separation-of-duties rule (:mod:`accounts.rules`) and
recorded in the access log (who did it, to whom, which role in which team, before and after),
so a user's "Role changes" in the admin history are complete whichever way the role came.
"""

import getpass

from django.core.exceptions import ValidationError
from django.db import transaction

from . import policy
from .access_log import client_ip
from .history import save_by
from .models import (
    AccessLogEntry,
    DedicatedRole,
    Membership,
    TrainingAttendance,
    TrainingCourse,
    UnitCost,
    User,
)
from .rules import membership_refusal

GRANTED = "membership.grant"
CHANGED = "membership.change"
REVOKED = "membership.revoke"
REFUSED = "membership.refused"
ACTIONS = (GRANTED, CHANGED, REVOKED, REFUSED)


class MembershipRefused(ValidationError):
    """The rule refused the membership; the message says why, in the user's language."""


def command_line_actor() -> str:
    """How the access log names whoever ran a management command."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return f"{name} (command line)"


def describe(role: str, team=None) -> str:
    """A membership as the log writes it: ``practitioner in team-a`` or ``evaluator``."""
    return f"{role} in {team.code}" if team is not None else str(role)


def _entry(*, action, user, detail, by=None, actor="", request=None, allowed=True):
    who = by if by is not None and by.pk is not None else None
    return AccessLogEntry(
        user=who,
        username=(who.get_username() if who else actor or command_line_actor())[:150],
        action=action,
        object_type=User._meta.label_lower,
        object_id=str(user.pk or ""),
        path=request.get_full_path()[:500] if request is not None else "",
        ip_address=client_ip(request) if request is not None else None,
        allowed=allowed,
        detail=f"{user.get_username()}: {detail}"[:500],
    )


def membership_refusal_record(*, user, role, team=None, reason, by=None, actor="", request=None):
    """Log a refused attempt to give `user` the `role` (the form or command shows `reason`)."""
    _entry(
        action=REFUSED,
        user=user,
        detail=f"{describe(role, team)} refused: {reason}",
        by=by,
        actor=actor,
        request=request,
        allowed=False,
    ).save()


def _refuse_if_needed(*, user, role, team, by, actor, request, held):
    reason = membership_refusal(user, role, by=by, held=held)
    if reason:
        membership_refusal_record(
            user=user, role=role, team=team, reason=reason, by=by, actor=actor, request=request
        )
        raise MembershipRefused(reason)


def membership_grant(
    *, user, role, team=None, by=None, actor="", request=None, held=None
) -> Membership:
    """Give `user` the `role` (in `team` for a team role); the existing one if already held.

    `by` is the user doing it; a command gives `actor` instead (see command_line_actor()).
    `held`: the roles the user will hold once a set of changes is made (see rules).
    """
    existing = Membership.objects.filter(user=user, role=role, team=team).first()
    if existing is not None:
        return existing
    _refuse_if_needed(
        user=user, role=role, team=team, by=by, actor=actor, request=request, held=held
    )
    with transaction.atomic():
        membership = Membership(user=user, role=role, team=team)
        membership.full_clean()
        save_by(membership, by)
        _entry(
            action=GRANTED,
            user=user,
            detail=f"granted {describe(role, team)}",
            by=by,
            actor=actor,
            request=request,
        ).save()
    policy.forget(user)
    return membership


def membership_change(
    *, membership, role, team=None, by=None, actor="", request=None, held=None
) -> Membership:
    """Change which role (or team) a membership gives; the log keeps before and after."""
    before = Membership.objects.select_related("team").get(pk=membership.pk)
    if before.role == role and before.team_id == (team.pk if team else None):
        return membership
    user = membership.user
    if held is None:
        held = set(
            Membership.objects.filter(user=user)
            .exclude(pk=membership.pk)
            .values_list("role", flat=True)
        )
    if role != before.role:
        _refuse_if_needed(
            user=user, role=role, team=team, by=by, actor=actor, request=request, held=held
        )
    with transaction.atomic():
        membership.role, membership.team = role, team
        membership.full_clean()
        save_by(membership, by)
        _entry(
            action=CHANGED,
            user=user,
            detail=f"changed {describe(before.role, before.team)} to {describe(role, team)}",
            by=by,
            actor=actor,
            request=request,
        ).save()
    policy.forget(user)
    return membership


def membership_revoke(*, membership, by=None, actor="", request=None) -> None:
    """End a role: remove its membership."""
    user = membership.user
    with transaction.atomic():
        described = describe(membership.role, membership.team)
        membership._history_user = by
        membership.delete()
        _entry(
            action=REVOKED,
            user=user,
            detail=f"removed {described}",
            by=by,
            actor=actor,
            request=request,
        ).save()
    policy.forget(user)


def memberships_imported(memberships, *, by=None) -> None:
    """Log memberships an exchange import created in bulk (the importer checked the rule)."""
    AccessLogEntry.objects.bulk_create(
        [
            _entry(
                action=GRANTED,
                user=membership.user,
                detail=f"granted {describe(membership.role, membership.team)} (import)",
                by=by,
            )
            for membership in memberships
        ],
        batch_size=1000,
    )


def role_changes(user_id):
    """The access-log rows about a user's roles, newest first (the admin history shows them)."""
    return AccessLogEntry.objects.filter(
        object_type=User._meta.label_lower, object_id=str(user_id), action__in=ACTIONS
    ).order_by("-at", "-id")


# --- The training register, dedicated roles and unit costs ---------------------------------


def workforce_record_save(*, record, by):
    """Save a training course, a training attendance or a dedicated ECM role an administrator
    made or changed, after checking it (the model's own rules: no attendance in the future, a
    role's end not before its start), its history naming `by`."""
    if not isinstance(record, (TrainingCourse, TrainingAttendance, DedicatedRole)):
        raise TypeError(f"not a training-register record: {type(record).__name__}")
    record.full_clean()
    with transaction.atomic():
        save_by(record, by)
    return record


def unit_cost_add(*, role: str, hourly_cost, valid_from, by) -> UnitCost:
    """A new hourly cost for `role` from `valid_from`. Costs are never changed once saved: a
    report says which ones it used, so a new cost is a new version."""
    cost = UnitCost(role=role, hourly_cost=hourly_cost, valid_from=valid_from)
    cost.full_clean()
    with transaction.atomic():
        save_by(cost, by)
    return cost
