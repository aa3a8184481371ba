"""How many cases each supervision session discussed (`SessionCases`), kept true as its list
of cases changes.

Every report divides a session's minutes among the cases it discussed; counting every
session's cases in each report read the whole list of sessions' cases twice a report at
national scale (docs/benchmarks.md, thirteenth round). The count is kept here instead:

* adding, removing or clearing cases (``session.cases.set(...)``, from either side) sends
  ``m2m_changed``, after which the session's cases are counted again;
* deleting a young person (an erasure) deletes their links with no signal for them, so
  their sessions are noted before the delete and counted again after it (a session's own
  deletion takes its count with it);
* bulk writes send no signals: the scale generator and the importer call `refresh`.

`mismatches` counts again and compares (the tests, after each kind of write).
"""

from collections.abc import Iterable

from django.db.models import Count
from django.db.models.signals import m2m_changed, post_delete, pre_delete

from .models import SessionCases, SupervisionSession

#: Sessions per refresh statement (well within SQLite's limit on query parameters).
BATCH = 2_000

DISCUSSED = SupervisionSession.cases.through


def counted(session_ids: list[int] | None = None) -> dict[int, int]:
    """{session id: cases discussed} from the sessions' lists of cases (None: every session);
    a session with none has 0."""
    sessions = SupervisionSession.objects.order_by()
    links = DISCUSSED.objects.order_by()
    if session_ids is not None:
        sessions = sessions.filter(pk__in=session_ids)
        links = links.filter(supervisionsession_id__in=session_ids)
    found = dict.fromkeys(sessions.values_list("pk", flat=True), 0)
    for session_id, cases in (
        links.values("supervisionsession_id")
        .annotate(n=Count("pk"))
        .values_list("supervisionsession_id", "n")
    ):
        found[session_id] = cases
    return found


def refresh(session_ids: Iterable[int]) -> None:
    """Count again the cases of these sessions (those that still exist)."""
    ids = sorted(set(session_ids))
    for start in range(0, len(ids), BATCH):
        rows = [
            SessionCases(session_id=pk, cases=cases)
            for pk, cases in counted(ids[start : start + BATCH]).items()
        ]
        SessionCases.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["session"], update_fields=["cases"]
        )


def refresh_all() -> int:
    """Count again every session's cases; the number of sessions."""
    ids = list(SupervisionSession.objects.order_by("pk").values_list("pk", flat=True))
    refresh(ids)
    return len(ids)


def mismatches() -> list[tuple[int, int | None, int]]:
    """(session id, stored count or None, counted) for each session whose stored count is
    not what its list of cases says. A session that discussed no case needs no count (no
    case has a share of it): one with none stored is not a mismatch."""
    stored = dict(SessionCases.objects.values_list("session_id", "cases"))
    return [
        (pk, stored.get(pk), cases)
        for pk, cases in sorted(counted().items())
        if stored.get(pk, 0 if cases == 0 else None) != cases
    ]


def _cases_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear" and reverse:
        # A young person's sessions cleared: which they are is gone after the clear.
        instance._sessions_cleared = list(
            DISCUSSED.objects.filter(youngperson_id=instance.pk).values_list(
                "supervisionsession_id", flat=True
            )
        )
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        refresh([instance.pk])
    elif action == "post_clear":
        refresh(instance.__dict__.pop("_sessions_cleared", []))
    else:
        refresh(pk_set or [])


def _young_person_deleting(sender, instance, **kwargs):
    instance._sessions_discussed = list(
        DISCUSSED.objects.filter(youngperson_id=instance.pk).values_list(
            "supervisionsession_id", flat=True
        )
    )


def _young_person_deleted(sender, instance, **kwargs):
    refresh(instance.__dict__.pop("_sessions_discussed", []))


def connect() -> None:
    """Keep the counts from now on (called from the app's `ready()`)."""
    from cases.models import YoungPerson

    m2m_changed.connect(_cases_changed, sender=DISCUSSED, dispatch_uid="session-case-counts")
    # Deleting a young person deletes their links with no signal for them (Django sends
    # none for a many-to-many's own table): their sessions are noted before, counted after.
    pre_delete.connect(
        _young_person_deleting, sender=YoungPerson, dispatch_uid="session-case-counts-deleting"
    )
    post_delete.connect(
        _young_person_deleted, sender=YoungPerson, dispatch_uid="session-case-counts-deleted"
    )
