"""Template helpers for the project's GOV.UK crispy-forms template pack (templates/govuk/).

Forms stay plain Django forms: nothing here asks a form to set GOV.UK CSS classes on its
widgets. The pack's ``field.html`` asks ``govuk_field`` how to draw each field: which GOV.UK
component it is, the ids of its hint and error message, and the widget already rendered with
the component's classes and ``aria-describedby``. ``govuk_error_list`` gives the error
summary its links, which point at the same ids.

Ids follow the Design System: a field's hint is ``<id>-hint``, its error message
``<id>-error``, and the first radio or checkbox of a group carries the field's own id so that
the error summary link ``#id_<field>`` lands on it.
"""

from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django import forms, template
from django.forms.formsets import BaseFormSet
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from ecm.markup import escaped

register = template.Library()

# The GOV.UK component each kind of widget is drawn as, and its base and error classes.
_WIDGET_CLASSES = {
    "input": ("govuk-input", "govuk-input--error"),
    "select": ("govuk-select", "govuk-select--error"),
    "textarea": ("govuk-textarea", "govuk-textarea--error"),
    "file": ("govuk-file-upload", "govuk-file-upload--error"),
    "checkbox": ("govuk-checkboxes__input", ""),
}


@dataclass
class Choice:
    """One radio or checkbox of a group."""

    id: str
    value: str
    label: str
    checked: bool


@dataclass
class GovukField:
    """What the template pack needs to draw one bound field."""

    bound_field: forms.BoundField
    kind: str  # hidden, input, select, textarea, file, checkbox, radios, checkboxes
    id: str
    hint_id: str
    error_id: str
    described_by: str
    show_errors: bool
    errors: list = dataclass_field(default_factory=list)
    extra_classes: str = ""

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    @property
    def is_fieldset(self) -> bool:
        return self.kind in ("radios", "checkboxes")

    @property
    def is_optional(self) -> bool:
        # GOV.UK marks optional questions, not required ones; a lone checkbox is never
        # "optional" in that sense.
        return not self.bound_field.field.required and self.kind != "checkbox"

    @property
    def choices(self) -> list[Choice]:
        return _choices(self)

    @property
    def choices_html(self) -> SafeString:
        return _choices_html(self)

    @property
    def widget(self) -> SafeString:
        return _render_widget(self)


def _kind(bound_field) -> str:
    widget = bound_field.field.widget
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):  # also SelectMultiple and NullBooleanSelect
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):
        return "file"
    return "input"


def _field_id(bound_field, kind: str) -> str:
    """The id of the element a label or error summary link should point at."""
    widget = bound_field.field.widget
    if kind in ("radios", "checkboxes"):
        return widget.attrs.get("id") or bound_field.auto_id or ""
    if isinstance(widget, forms.MultiWidget):
        # Django labels no part of a multi-part input; point at the first part.
        base_id = widget.attrs.get("id") or bound_field.auto_id
        return f"{base_id}_0" if base_id else ""
    return bound_field.id_for_label or bound_field.auto_id or ""


@register.simple_tag
def govuk_field(bound_field, show_errors=True) -> GovukField:
    """Describe ``bound_field`` for the template pack: ``{% govuk_field field as f %}``."""
    kind = _kind(bound_field)
    field_id = _field_id(bound_field, kind) or bound_field.html_name
    show_errors = show_errors is not False  # a missing context variable means "show them"
    errors = list(bound_field.errors) if show_errors else []
    hint_id = f"{field_id}-hint" if bound_field.help_text else ""
    error_id = f"{field_id}-error" if errors else ""
    widget_classes = bound_field.field.widget.attrs.get("class", "")
    return GovukField(
        bound_field=bound_field,
        kind=kind,
        id=field_id,
        hint_id=hint_id,
        error_id=error_id,
        described_by=" ".join(part for part in (hint_id, error_id) if part),
        show_errors=show_errors,
        errors=errors,
        # On radios and checkboxes a widget's own classes (e.g. govuk-radios--inline)
        # belong on the group, not on each input.
        extra_classes=widget_classes if kind in ("radios", "checkboxes") else "",
    )


def _join_classes(*parts) -> str:
    seen = []
    for part in parts:
        for name in (part or "").split():
            if name not in seen:
                seen.append(name)
    return " ".join(seen)


def _render_widget(info: GovukField) -> SafeString:
    bound_field = info.bound_field
    if info.kind == "hidden":
        return bound_field.as_widget()
    base, error = _WIDGET_CLASSES.get(info.kind, ("", ""))
    widget = bound_field.field.widget
    extra = []
    if info.kind == "input" and getattr(widget, "input_type", "") == "date":
        extra.append("govuk-input--width-10")
    attrs = {
        "class": _join_classes(
            base,
            error if info.has_errors else "",
            *extra,
            widget.attrs.get("class", ""),
        )
    }
    if info.described_by:
        attrs["aria-describedby"] = info.described_by
    if info.kind == "select" and _is_plain_select(widget):
        return _select_html(bound_field, attrs)
    if widget.template_name in _PLAIN_INPUT_TEMPLATES:
        return _input_html(bound_field, attrs)
    return bound_field.as_widget(attrs=attrs)


#: Django's input templates that only include ``input.html`` (drawn in Python below).
_PLAIN_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("text", "date", "datetime", "time", "number", "email", "url", "tel", "search")
)


def _is_plain_select(widget) -> bool:
    return (
        widget.template_name == "django/forms/widgets/select.html"
        and widget.option_template_name == "django/forms/widgets/select_option.html"
    )


def _attributes_html(attrs: dict) -> str:
    """Django's ``attrs.html``: ``False`` leaves an attribute out, ``True`` writes its name."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escaped(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _widget_context(bound_field, attrs: dict) -> dict:
    """The widget's own context with the attributes `BoundField.as_widget` would give it."""
    widget = bound_field.field.widget
    attrs = bound_field.build_widget_attrs(attrs, widget)
    if bound_field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound_field.auto_id)
    return widget.get_context(bound_field.html_name, bound_field.value(), attrs)["widget"]


def _input_html(bound_field, attrs: dict) -> SafeString:
    """Django's ``input.html``, drawn in Python like `_select_html`."""
    context = _widget_context(bound_field, attrs)
    value = "" if context["value"] is None else f' value="{escaped(context["value"])}"'
    return mark_safe(  # noqa: S308 (every value is escaped)
        f'<input type="{escaped(context["type"])}" name="{escaped(context["name"])}"'
        f"{value}{_attributes_html(context['attrs'])}>"
    )


def _select_html(bound_field, attrs: dict) -> SafeString:
    """A select drawn as Django's own templates draw it, with the same attributes and
    options (from the widget's context), but in Python: a long list drawn through a template
    include per option was a measurable part of a team page (docs/benchmarks.md)."""
    context = _widget_context(bound_field, attrs)
    parts = [f'<select name="{escaped(context["name"])}"{_attributes_html(context["attrs"])}>']
    for group_name, options, _index in context["optgroups"]:
        if group_name:
            parts.append(f'<optgroup label="{escaped(group_name)}">')
        parts.extend(
            f'<option value="{escaped(option["value"])}"{_attributes_html(option["attrs"])}>'
            f"{escaped(option['label'])}</option>"
            for option in options
        )
        if group_name:
            parts.append("</optgroup>")
    parts.append("</select>")
    return mark_safe("\n".join(parts))  # noqa: S308 (every value above is escaped)


def _choices(info: GovukField) -> list[Choice]:
    if info.kind not in ("radios", "checkboxes"):
        return []
    choices = []
    for subwidget in info.bound_field.subwidgets:
        data = subwidget.data
        value = "" if data["value"] is None else str(data["value"])
        if info.kind == "radios" and value == "":
            # The blank choice of an optional select reads as "---------" when shown as a
            # radio; answering nothing already means "no answer".
            continue
        index = len(choices)
        choice_id = info.id if index == 0 else f"{info.id}-{index + 1}"
        choices.append(
            Choice(id=choice_id, value=value, label=data["label"], checked=data["selected"])
        )
    return choices


def _choices_html(info: GovukField) -> SafeString:
    """The group's radios or checkboxes, built in Python: a template loop over every team
    was most of the report request form's time at national scale (docs/benchmarks.md)."""
    kind = "radios" if info.kind == "radios" else "checkboxes"
    input_type = "radio" if kind == "radios" else "checkbox"
    name = escaped(info.bound_field.html_name)
    disabled = " disabled" if info.bound_field.field.disabled else ""
    items = []
    for choice in _choices(info):
        choice_id = escaped(choice.id)
        checked = " checked" if choice.checked else ""
        items.append(
            f'<div class="govuk-{kind}__item">'
            f'<input class="govuk-{kind}__input" id="{choice_id}" name="{name}"'
            f' type="{input_type}" value="{escaped(choice.value)}"{checked}{disabled}>'
            f' <label class="govuk-label govuk-{kind}__label" for="{choice_id}">'
            f"{escaped(choice.label)}</label></div>"
        )
    return mark_safe("\n".join(items))  # noqa: S308 (every value above is escaped)


def _error_items(form) -> list[dict]:
    items = []
    for error in form.non_field_errors():
        items.append({"text": error, "href": ""})
    for bound_field in form:
        if not bound_field.errors:
            continue
        kind = _kind(bound_field)
        if kind == "hidden":
            # Nothing to link to; the label at least says which value was wrong.
            for error in bound_field.errors:
                items.append({"text": f"{bound_field.label}: {error}", "href": ""})
            continue
        field_id = _field_id(bound_field, kind)
        for error in bound_field.errors:
            items.append({"text": error, "href": f"#{field_id}" if field_id else ""})
    return items


@register.simple_tag
def govuk_error_list(form_or_formset) -> list[dict]:
    """Error summary items (``text``, ``href``) for a form or formset, in page order."""
    if isinstance(form_or_formset, BaseFormSet):
        items = [{"text": error, "href": ""} for error in form_or_formset.non_form_errors()]
        for form in form_or_formset.forms:
            items.extend(_error_items(form))
        return items
    if not hasattr(form_or_formset, "errors"):
        return []
    return _error_items(form_or_formset)


@register.filter
def govuk_button_classes(classes) -> str:
    """Drop crispy-forms' Bootstrap button classes (``btn``, ``btn-primary``...)."""
    return " ".join(name for name in (classes or "").split() if not name.startswith("btn"))


@register.filter
def govuk_error_lines(errors) -> SafeString:
    """Several error messages for one field, one per line, each escaped."""
    return format_html_join(mark_safe("<br>"), "{}", ((error,) for error in errors))
