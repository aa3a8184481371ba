"""Signing in and out, password change, and TOTP two-factor set-up and verification."""

import time
from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from . import drafts
from .demo import DEMO_PASSWORD
from .forms import SignInForm, TokenForm
from .middleware import OTP_REQUIRED_KEY, mark_active, session_state


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.ECM_DEMO:
            context["demo_password"] = DEMO_PASSWORD
        return context


class SignOutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        was_signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            messages.success(request, _("You have signed out."))
        return response


@method_decorator(login_required, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


def locked_out(request, credentials=None, *args, **kwargs):
    """What django-axes shows after too many failures. Says the same for any username."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _(
        "Too many failed attempts to sign in. For your security, signing in with this "
        "username is paused for %(minutes)d minutes. Contact your service administrator if "
        "you need access sooner."
    ) % {"minutes": minutes}
    context = {"form": SignInForm(request), "lockout_message": message}
    if settings.ECM_DEMO:
        context["demo_password"] = DEMO_PASSWORD
    return render(request, "accounts/login.html", context, status=429)


def _next_url(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _qr_svg(device) -> str:
    """The otpauth:// URI as an inline SVG QR code (no script, safe under our CSP)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, title=_("QR code for your authenticator app")
    )


def _manual_key(device) -> str:
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


#: The session key holding the authenticator key being set up, until it is confirmed.
PENDING_TOTP_KEY = "ecm_totp_pending_key"


def _pending_device(request, *, fresh: bool) -> TOTPDevice:
    """An unsaved device holding the key being set up: a new key each time the page is shown.

    The key lives only in this session until a code from it is confirmed, so someone who
    knew the password before the user enrolled cannot have copied it from an earlier visit.
    """
    key = None if fresh else request.session.get(PENDING_TOTP_KEY)
    if not key:
        key = random_hex(20)
        request.session[PENDING_TOTP_KEY] = key
    return TOTPDevice(user=request.user, name="Authenticator app", key=key, confirmed=False)


def _confirm(device: TOTPDevice, code: str) -> bool:
    """Does `code` come from `device`'s key now (within its tolerance)? Saves nothing."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not totp.verify(int(code), device.tolerance):
        return False
    device.last_t = totp.t()  # the code just used cannot be used again to verify
    device.drift = totp.drift
    return True


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Enrol an authenticator app: scan the code, then prove it works with one code.

    The device is created only when a code is confirmed, and any unconfirmed devices left
    by earlier versions of this page are removed then.
    """
    if request.user.is_verified():
        messages.info(request, _("Two-factor authentication is already set up for your account."))
        return redirect("home")
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("accounts:two-factor-verify")
    if request.method == "POST" and not request.session.get(PENDING_TOTP_KEY):
        messages.info(
            request,
            _("Your set-up had expired. Scan this new QR code and enter the code it shows."),
        )
        return redirect(f"{request.path}?{urlencode({'next': _next_url(request, default='')})}")
    # A failed attempt keeps the key the user has just scanned; showing the page makes a new one.
    device = _pending_device(request, fresh=request.method == "GET")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _confirm(device, form.cleaned_data["code"]):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
                device.confirmed = True
                device.save()
            del request.session[PENDING_TOTP_KEY]
            otp_login(request, device)
            request.session[OTP_REQUIRED_KEY] = "verify"
            messages.success(request, _("Two-factor authentication is set up."))
            return redirect(_next_url(request))
        form.add_error(
            "code",
            _("That code is not right. Check the time on your device and enter the newest code."),
        )
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device),
            "manual_key": _manual_key(device),
            "next": _next_url(request, default=""),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """The second step of signing in for a user with an authenticator app."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error(
            "code",
            _(
                "That code is not right, or it has expired. Enter the newest "
                "code from your authenticator app."
            ),
        )
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _next_url(request, default="")},
    )


# --- Staying signed in, and drafts of long forms ------------------------------------------


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def keep_alive(request):
    """ "Stay signed in": restart the idle clock. The page's script asks for JSON (the time
    left); without JavaScript the button posts here and returns to the page it was on."""
    mark_active(request)
    if _wants_json(request):
        return JsonResponse(session_state(request))
    state = session_state(request)
    messages.success(
        request,
        _("You are still signed in. If you do nothing, you will be signed out at %(time)s.")
        % {"time": state["signed_out_at"]},
    )
    return redirect(_next_url(request))


def _draft_page(request) -> str:
    """The page named by the posted draft key; 404 unless it is a page that keeps drafts."""
    key = request.POST.get(drafts.KEY_FIELD)
    if not drafts.is_draft_page(key):
        raise Http404("No form that keeps drafts has this address.")
    return key


@login_required
@require_POST
def draft_save(request):
    """Keep what the user is typing into a long form (posted by the page's script).

    Typing counts as activity, so this also restarts the idle clock.
    """
    drafts.keep(request, _draft_page(request))
    mark_active(request)
    return JsonResponse(session_state(request))


@login_required
@require_POST
def draft_discard(request):
    """Delete the user's draft of a form and show the form as it was before."""
    key = _draft_page(request)
    if drafts.forget(request, key):
        messages.success(request, _("What you typed earlier has been deleted."))
    return redirect(key)
