from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    """Django's sign-in form with GOV.UK wording; failures never say whether a user exists."""

    error_messages = {
        "invalid_login": _("Enter a correct username and password. Both are case-sensitive."),
        "inactive": _("Enter a correct username and password. Both are case-sensitive."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["username"].error_messages["required"] = _("Enter your username")
        self.fields["username"].error_messages["max_length"] = _(
            "Username must be %(limit_value)d characters or fewer"
        )
        self.fields["password"].label = _("Password")
        self.fields["password"].error_messages["required"] = _("Enter your password")


class CodeField(forms.CharField):
    """Ignores spaces, so "123 456" as some apps show it is accepted."""

    def to_python(self, value):
        return "".join(super().to_python(value).split())


class TokenForm(forms.Form):
    """A six-digit code from an authenticator app."""

    code = CodeField(
        label=_("Code from your authenticator app"),
        help_text=_("For example, 123456"),
        max_length=20,
        error_messages={
            "required": _("Enter the 6-digit code from your authenticator app"),
            "max_length": _("Enter the code as 6 digits, for example 123456"),
        },
        validators=[
            RegexValidator(
                r"^[0-9]{6}$", message=_("Enter the code as 6 digits, for example 123456")
            )
        ],
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )
