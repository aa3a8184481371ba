"""Who does a task: the rule every form and service that adds agreed actions shares.

A task belongs to a user of the service (`assignee`), or to someone outside it, given by
name (`owner`) and agency. Exactly one of the two.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, User


def who_problem(action: dict) -> tuple[str, str] | None:
    """What is wrong with who does `action`, as (part, message with a %(number)d slot)."""
    assignee, agency = action.get("assignee"), action.get("agency")
    name = (action.get("owner") or "").strip()
    if assignee is not None and (name or agency is not None):
        return (
            "assignee",
            _(
                "Action %(number)d: choose a user of the service or give the name and agency "
                "of someone outside it, not both"
            ),
        )
    if assignee is not None:
        return None
    if not name and agency is None:
        return (
            "assignee",
            _(
                "Choose who will do action %(number)d, or give the name and agency of someone "
                "outside the service"
            ),
        )
    if not name:
        return ("owner", _("Enter the name of the person who will do action %(number)d"))
    if agency is None:
        return ("agency", _("Select the agency of the person who will do action %(number)d"))
    return None


def assignee_outside(action: dict, team) -> bool:
    """Whether the chosen user has no role in `team` (and so may not be given its work)."""
    assignee = action.get("assignee")
    if assignee is None or team is None:
        return False
    return not Membership.objects.filter(user=assignee, team=team).exists()


def task_fields(action: dict) -> dict:
    """The model fields of a task from a cleaned action."""
    assignee = action.get("assignee")
    return {
        "assignee": assignee,
        "agency": None if assignee is not None else action.get("agency"),
        "owner": "" if assignee is not None else (action.get("owner") or "").strip(),
    }


def staff_of(team):
    """The users who may be given a task about the team's young people: its staff."""
    return (
        User.objects.filter(memberships__team=team, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def validate(errors: dict, number: int, action: dict, team) -> None:
    """Add to `errors["actions"]` what is wrong with action `number` of a service call."""
    if not (action.get("description") or "").strip():
        errors.setdefault("actions", []).append(
            _("Action %(number)d: say what is to be done") % {"number": number}
        )
    problem = who_problem(action)
    if problem:
        errors.setdefault("actions", []).append(problem[1] % {"number": number})
    elif assignee_outside(action, team):
        errors.setdefault("actions", []).append(
            _("Action %(number)d: %(name)s does not work in %(team)s")
            % {"number": number, "name": action["assignee"], "team": team.name}
        )


def mark_done(task, *, by, done_on) -> None:
    """Record that `by` marked `task` done on `done_on` (today or earlier), and when."""
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": [_("Date done must be today or in the past")]})
    task.done_on = done_on
    task.done_by = by
    task.done_at = timezone.now()
    task.save()
