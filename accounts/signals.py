"""Sign-in events: decide the two-factor step once, note the user's drafts, and log failed
attempts."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from . import drafts
from .access_log import record_access
from .middleware import OTP_REQUIRED_KEY, two_factor_requirement


@receiver(user_logged_in)
def decide_two_factor_step(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[OTP_REQUIRED_KEY] = two_factor_requirement(user)


@receiver(user_logged_in)
def note_kept_drafts(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        drafts.note_drafts_of(request, user)


@receiver(user_login_failed)
def log_failed_sign_in(sender, credentials, request=None, **kwargs):
    if request is not None:
        record_access(
            request,
            action="sign-in",
            allowed=False,
            detail=f"failed sign-in for username {str(credentials.get('username', ''))[:150]!r}",
        )
