"""The administrator's upload of an exchange .zip."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .source import MEGABYTE, size_text

CHECK = "check"
IMPORT = "import"


def max_upload_bytes() -> int:
    """The largest upload accepted (setting ``ECM_EXCHANGE_MAX_UPLOAD_BYTES``, 50 MB)."""
    return getattr(settings, "ECM_EXCHANGE_MAX_UPLOAD_BYTES", 50 * MEGABYTE)


class ExchangeUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Exchange file"),
        error_messages={
            "required": _("Choose a .zip file to upload"),
            "empty": _("The chosen file is empty"),
            "invalid": _("Choose a .zip file to upload"),
        },
    )
    action = forms.ChoiceField(
        label=_("What do you want to do?"),
        choices=[
            (CHECK, _("Check the file only (nothing is saved)")),
            (IMPORT, _("Check the file and import it if there are no problems")),
        ],
        widget=forms.RadioSelect,
        initial=CHECK,
        error_messages={"required": _("Choose whether to check only or to import")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A .zip of CSV files in the exchange format, %(limit)s or smaller"
        ) % {"limit": size_text(max_upload_bytes())}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            raise ValidationError(
                _("The file is %(size)s; it must be %(limit)s or smaller")
                % {"size": size_text(upload.size), "limit": size_text(max_upload_bytes())}
            )
        if not upload.name.lower().endswith(".zip"):
            raise ValidationError(_("The file must be a .zip"))
        return upload

    @property
    def dry_run(self) -> bool:
        return self.cleaned_data["action"] == CHECK
