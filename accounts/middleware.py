"""Session idle timeout and the two-factor gate."""

import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django_otp import user_has_device

from . import drafts

LAST_ACTIVITY_KEY = "ecm_last_activity"
OTP_REQUIRED_KEY = "ecm_otp_required"
#: Refresh the activity stamp at most this often, so reading pages doesn't write the session
#: on every request. The timeout is therefore exact to within this many seconds (or a tenth
#: of the idle limit, if that is shorter).
ACTIVITY_RESOLUTION_SECONDS = 60
#: Where the page's script keeps a draft and where "Stay signed in" posts.
DRAFT_SAVE_VIEW = "accounts:draft-save"
KEEP_ALIVE_VIEW = "accounts:keep-alive"


def resolution_seconds() -> int:
    return min(ACTIVITY_RESOLUTION_SECONDS, settings.ECM_SESSION_IDLE_SECONDS // 10)


def warning_seconds() -> int:
    """How long before the idle sign-out pages warn: never more than half the idle limit."""
    return min(settings.ECM_SESSION_WARNING_SECONDS, settings.ECM_SESSION_IDLE_SECONDS // 2)


def mark_active(request) -> None:
    """Restart the idle clock now ("Stay signed in", typing in a long form)."""
    request.session[LAST_ACTIVITY_KEY] = int(time.time())


def session_state(request) -> dict:
    """How long this session has left if its user does nothing, for the page's warning."""
    now = int(time.time())
    session = getattr(request, "session", {})  # none for a page rendered outside a request
    last = int(session.get(LAST_ACTIVITY_KEY, now))
    seconds_left = max(0, settings.ECM_SESSION_IDLE_SECONDS - (now - last))
    return {
        "seconds_left": seconds_left,
        "warning_seconds": warning_seconds(),
        "idle_seconds": settings.ECM_SESSION_IDLE_SECONDS,
        "signed_out_at": time_format(
            timezone.localtime(timezone.now() + timedelta(seconds=seconds_left)), "H:i"
        ),
    }


class IdleTimeoutMiddleware:
    """Sign out a user who has done nothing for ``ECM_SESSION_IDLE_SECONDS``.

    A form posted after the limit is not lost: when its page keeps drafts it is kept as the
    user's draft (``accounts.drafts``) and offered back, filled in, once they sign in again.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_KEY)
            if last is not None and now - int(last) > settings.ECM_SESSION_IDLE_SECONDS:
                return self._sign_out(request)
            if last is None or now - int(last) >= resolution_seconds():
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)

    @staticmethod
    def _sign_out(request):
        kept = drafts.keep_expired_post(request, save_view_name=DRAFT_SAVE_VIEW)
        path = kept or _return_address(request)
        logout(request)
        minutes = settings.ECM_SESSION_IDLE_SECONDS // 60
        message = _(
            "You were signed out because you had not done anything for %(minutes)d "
            "minutes. Sign in again to continue."
        ) % {"minutes": minutes}
        if kept:
            message = "{} {}".format(
                message, _("What you typed has been kept, but it has not been saved yet.")
            )
        messages.info(request, message)
        return redirect_to_login(path)


def _return_address(request) -> str:
    """Where to go after signing in again: back to this page, or for "Stay signed in" (which
    only answers a POST), to the page it was pressed on."""
    if request.method == "POST":
        try:
            view_name = resolve(request.path_info).view_name
        except Resolver404:
            view_name = ""
        target = request.POST.get("next", "")
        if view_name == KEEP_ALIVE_VIEW:
            if url_has_allowed_host_and_scheme(
                target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                return target
            return reverse("home")
    return request.get_full_path()


#: Pages a signed-in user may reach before completing two-factor authentication.
TWO_FACTOR_EXEMPT = frozenset(
    {
        "accounts:logout",
        "accounts:two-factor-verify",
        "accounts:two-factor-setup",
        "set_language",
        "healthz",
    }
)


def two_factor_requirement(user) -> str:
    """ "verify" if the user has a confirmed device, "setup" if one is required, else "none"."""
    if user_has_device(user, confirmed=True):
        return "verify"
    return "setup" if settings.ECM_REQUIRE_2FA else "none"


class TwoFactorMiddleware:
    """Send a signed-in user to verify (or set up) TOTP before anything else.

    Verification is needed when the user has a device, and setting one up is needed when
    ``ECM_REQUIRE_2FA`` is on. Whether either applies is decided at sign-in and kept in the
    session, so ordinary requests cost no query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and self._gated(request):
            if request.session.get(OTP_REQUIRED_KEY) == "verify":
                target = "accounts:two-factor-verify"
            else:
                target = "accounts:two-factor-setup"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _gated(request) -> bool:
        requirement = request.session.get(OTP_REQUIRED_KEY)
        if requirement is None:
            requirement = request.session[OTP_REQUIRED_KEY] = two_factor_requirement(request.user)
        if requirement == "none":
            return False
        if request.path.startswith(
            settings.STATIC_URL
            if settings.STATIC_URL.startswith("/")
            else "/" + settings.STATIC_URL
        ):
            return False
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return True
        return match.view_name not in TWO_FACTOR_EXEMPT
