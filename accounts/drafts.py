"""Never lose typed text: drafts of long forms, kept per user and page.

A view keeps drafts with two touches::

    @drafts.kept
    @login_required
    def formulation_edit(request, meeting_pk):
        ...
        form = drafts.restore(request, FormulationForm(initial=...))

``kept`` marks the view: its page saves what is typed every so often (static/ecm/js/
session.js posts it to ``accounts:draft-save``), a form posted to it after the idle sign-out
is kept instead of lost (``IdleTimeoutMiddleware``), and the draft is deleted once the form
is saved (the view answers a POST with a redirect). ``restore`` fills the form the page
shows in from the user's draft, if there is one, and the page then says so
(templates/accounts/_draft_banner.html) and offers to discard it.

A draft is keyed by its owner and the address of the form's page (path and query string,
where the form posts too). Every read filters by the owner: nobody else ever sees it.

So that opening a form costs no query when there is no draft (nearly always), the session
lists the pages the user has drafts of: read once at sign-in, kept up to date as drafts are
kept, saved and discarded. A draft kept in another browser meanwhile shows at the next
sign-in.
"""

from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import Resolver404, resolve
from django.utils import timezone

from .models import Draft

#: The field the page's script adds to say which form a draft belongs to.
KEY_FIELD = "ecm_draft_key"
#: The session's list of the pages the user has drafts of.
SESSION_KEYS = "ecm_draft_keys"
#: Fields never kept: the CSRF token (a new one comes with the form) and the key itself.
NOT_KEPT = frozenset({"csrfmiddlewaretoken", KEY_FIELD})
KEY_MAX_LENGTH = Draft._meta.get_field("key").max_length


def kept(view):
    """View decorator: the view's form keeps a draft (see the module docstring)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        key = request.get_full_path()
        request.ecm_draft_key = key if len(key) <= KEY_MAX_LENGTH else None
        response = view(request, *args, **kwargs)
        if (
            request.method == "POST"
            and response.status_code in (301, 302, 303)
            and request.user.is_authenticated
            and _noted(request, key)
        ):
            forget(request, key)
        return response

    wrapped.keeps_drafts = True
    return wrapped


def restore(request, form):
    """The form, filled in from the user's draft of this page when one is kept (GET only).

    The form is bound to the draft without being checked: the page shows what was typed,
    not error messages about a form nobody has submitted yet. It is checked when submitted.
    """
    key = request.get_full_path()
    if request.method != "GET" or not request.user.is_authenticated or not _noted(request, key):
        return form
    draft = Draft.objects.filter(owner=request.user, key=key).first()
    if draft is None:
        _note(request, key, present=False)  # deleted meanwhile (elsewhere, or when old)
        return form
    data = QueryDict(mutable=True)
    for name, values in draft.data.items():
        data.setlist(name, [str(value) for value in values])
    form.data = data
    form.is_bound = True
    form._errors = ErrorDict()  # shown as typed, not as submitted
    request.ecm_draft = draft
    return form


def is_draft_page(key) -> bool:
    """Is `key` the address of a page on this site whose view keeps drafts?"""
    if not isinstance(key, str) or not key.startswith("/") or key.startswith("//"):
        return False
    if len(key) > KEY_MAX_LENGTH:
        return False
    try:
        match = resolve(urlsplit(key).path)
    except Resolver404:
        return False
    return getattr(match.func, "keeps_drafts", False)


def typed(post) -> dict[str, list[str]]:
    """The posted fields worth keeping, as ``{name: [values]}``."""
    return {name: values for name, values in post.lists() if name not in NOT_KEPT}


def keep(request, key: str, *, submitted_after_sign_out: bool = False) -> Draft:
    """Keep what `request` posted as its user's draft of the page at `key`."""
    draft, _created = Draft.objects.update_or_create(
        owner=request.user,
        key=key,
        defaults={
            "data": typed(request.POST),
            "submitted_after_sign_out": submitted_after_sign_out,
        },
    )
    _note(request, key, present=True)
    return draft


def forget(request, key: str) -> bool:
    """Delete the user's draft of the page at `key` (saved or discarded). Was there one?"""
    deleted, _rows = Draft.objects.filter(owner=request.user, key=key).delete()
    _note(request, key, present=False)
    return bool(deleted)


def note_drafts_of(request, user) -> None:
    """At sign-in: note in the session which pages the user has drafts of."""
    request.session[SESSION_KEYS] = list(
        Draft.objects.filter(owner=user).values_list("key", flat=True)
    )


def _noted(request, key: str) -> bool:
    session = getattr(request, "session", None)
    return session is not None and key in session.get(SESSION_KEYS, ())


def _note(request, key: str, *, present: bool) -> None:
    keys = [noted for noted in request.session.get(SESSION_KEYS, []) if noted != key]
    request.session[SESSION_KEYS] = [*keys, key] if present else keys


def keep_expired_post(request, *, save_view_name: str) -> str | None:
    """Keep a form posted after the idle limit as its user's draft, before signing them out.

    The session still says whose it is. Kept only when the post is genuine (its CSRF token
    is right, so no other site can plant text in someone's form) and its page keeps drafts.
    A post to the draft-saving address (the page's script, typing as the time ran out) is
    kept for the page it names. Returns the page's address, or None when nothing was kept.
    """
    if request.method != "POST":
        return None
    if CsrfViewMiddleware(lambda _request: None).process_view(request, None, (), {}):
        return None
    try:
        is_save = resolve(request.path_info).view_name == save_view_name
    except Resolver404:
        return None
    key = request.POST.get(KEY_FIELD) if is_save else request.get_full_path()
    if not is_draft_page(key):
        return None
    keep(request, key, submitted_after_sign_out=True)
    return key


def delete_old_drafts(*, days: int | None = None) -> int:
    """Delete the drafts last kept more than `days` (default ``ECM_DRAFT_KEEP_DAYS``) ago: text
    nobody is going to finish should not be kept as a copy of case notes. Returns how many."""
    days = settings.ECM_DRAFT_KEEP_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _rows = Draft.objects.filter(updated_at__lt=cutoff).delete()
    return deleted
