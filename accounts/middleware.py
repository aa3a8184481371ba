"""Session idle timeout and the two-factor gate."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import user_has_device

LAST_ACTIVITY_KEY = "ecm_last_activity"
OTP_REQUIRED_KEY = "ecm_otp_required"
#: Refresh the activity stamp at most this often, so reading pages doesn't write the session
#: on every request. The timeout is therefore exact to within this many seconds.
ACTIVITY_RESOLUTION_SECONDS = 60


class IdleTimeoutMiddleware:
    """Sign out a user who has done nothing for ``ECM_SESSION_IDLE_SECONDS``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_KEY)
            if last is not None and now - int(last) > settings.ECM_SESSION_IDLE_SECONDS:
                path = request.get_full_path()
                logout(request)
                minutes = settings.ECM_SESSION_IDLE_SECONDS // 60
                messages.info(
                    request,
                    _(
                        "You were signed out because you had not done anything for %(minutes)d "
                        "minutes. Sign in again to continue."
                    )
                    % {"minutes": minutes},
                )
                return redirect_to_login(path)
            if last is None or now - int(last) >= ACTIVITY_RESOLUTION_SECONDS:
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


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
