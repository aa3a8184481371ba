"""Inputs and selects drawn in Python (ecm/templatetags/govuk_forms.py) are exactly what
Django's own widget templates draw, bound or not, with errors, hints and awkward values."""

import pytest
from django import forms

from ecm.templatetags import govuk_forms


class Everything(forms.Form):
    name = forms.CharField(max_length=10, help_text="As on the referral")
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    count = forms.IntegerField(min_value=1, max_value=5)
    email = forms.EmailField(required=False)
    who = forms.ChoiceField(choices=[("", "Anyone"), ("1", "Ann <A> O'Neil"), ("2", "Bob")])
    grouped = forms.ChoiceField(
        choices=[("North", [("a", "Wrexham"), ("b", "Flintshire")]), ("c", "Cardiff")],
        required=False,
    )
    several = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], required=False)


def django_drawn(bound_field, info):
    """What the fast path replaces: the same attributes through Django's templates."""
    widget = bound_field.field.widget
    base, error = govuk_forms._WIDGET_CLASSES[info.kind]
    date = "govuk-input--width-10" if getattr(widget, "input_type", "") == "date" else ""
    attrs = {
        "class": govuk_forms._join_classes(
            base, error if info.has_errors else "", date, widget.attrs.get("class", "")
        )
    }
    if info.described_by:
        attrs["aria-describedby"] = info.described_by
    return str(bound_field.as_widget(attrs=attrs))


@pytest.mark.parametrize(
    "form",
    [
        Everything(),
        Everything(initial={"count": 2, "who": "2", "several": ["y"]}),
        Everything(
            {"name": 'a"<b>&', "day": "2026-01-02", "count": "9", "who": "1", "grouped": "b"}
        ),
        Everything({"name": "x" * 20, "several": ["x", "y"], "who": "nobody"}),
    ],
)
def test_fast_widgets_match_djangos_templates(form):
    form.is_bound and form.is_valid()
    for bound_field in form:
        info = govuk_forms.govuk_field(bound_field)
        normalised = "".join(django_drawn(bound_field, info).split("\n"))
        drawn = "".join(str(info.widget).split("\n"))
        assert drawn.replace("  ", "") == normalised.replace("  ", ""), bound_field.name
