"""The GOV.UK page template, component includes and crispy-forms template pack.

What a user (and a screen reader) meets: the error summary links to each wrong answer, each
answer says what is wrong next to it, and every page works under a CSP without inline code.
"""

import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.paginator import Paginator
from django.template import engines, loader
from django.test import RequestFactory
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.translation import override


class ReferralForm(forms.Form):
    name = forms.CharField(label="Full name", help_text="As it appears on the referral")
    referred_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    stage = forms.ChoiceField(
        label="TRM stage",
        choices=[("safety", "Safety and routine"), ("relationships", "Relationships")],
        widget=forms.RadioSelect,
    )
    needs = forms.MultipleChoiceField(
        choices=[("drugs", "Drugs and alcohol"), ("housing", "Housing")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    consent = forms.BooleanField(label="The young person consents")
    team = forms.ChoiceField(choices=[("", "Choose a team"), ("a", "Team A")])
    notes = forms.CharField(widget=forms.Textarea, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("The referral date cannot be before the date of birth")


def _render(source, context):
    return engines["django"].from_string(source).render(context)


def _invalid_form(**data):
    form = ReferralForm(data={"stage": "unknown", "notes": "Seen at home", **data})
    assert not form.is_valid()
    return form


def _error_summary(html):
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)
    assert match, "no error summary"
    return match.group(0)


def test_error_summary_links_to_each_invalid_field():
    html = _render("{% load crispy_forms_tags %}{{ form|crispy }}", {"form": _invalid_form()})

    summary = _error_summary(html)
    assert 'role="alert"' in summary
    assert "There is a problem" in summary
    links = re.findall(r'<a href="(#[^"]+)">', summary)
    assert links == ["#id_name", "#id_referred_on", "#id_stage", "#id_consent", "#id_team"]
    assert "The referral date cannot be before the date of birth" in summary
    assert "Version: This field is required." in summary


def test_every_error_summary_link_has_a_target_on_the_page():
    html = _render("{% load crispy_forms_tags %}{{ form|crispy }}", {"form": _invalid_form()})

    for target in re.findall(r'<a href="#([^"]+)">', _error_summary(html)):
        assert f'id="{target}"' in html


def test_field_error_is_shown_beside_the_field_and_announced():
    html = _render("{% load crispy_forms_tags %}{{ form|crispy }}", {"form": _invalid_form()})

    match = re.search(
        r'<div class="(govuk-form-group[^"]*)">\s*<label[^>]*for="id_name".*?<input[^>]*>',
        html,
        re.S,
    )
    group_classes, group = match.group(1), match.group(0)
    assert group_classes == "govuk-form-group govuk-form-group--error"
    assert (
        '<p id="id_name-error" class="govuk-error-message">'
        '<span class="govuk-visually-hidden">Error:</span> This field is required.</p>'
    ) in group
    assert '<div id="id_name-hint" class="govuk-hint">As it appears on the referral</div>' in group
    widget = re.search(r'<input type="text" name="name"[^>]*>', group).group(0)
    assert 'class="govuk-input govuk-input--error"' in widget
    assert 'aria-describedby="id_name-hint id_name-error"' in widget


def test_widgets_get_their_govuk_classes():
    html = _render("{% load crispy_forms_tags %}{{ form|crispy }}", {"form": ReferralForm()})

    assert re.search(
        r'<input type="date" name="referred_on" class="govuk-input govuk-input--width-10"', html
    )
    assert re.search(r'<select name="team" class="govuk-select"', html)
    assert re.search(r'<textarea name="notes"[^>]*class="govuk-textarea"', html)
    assert re.search(r'<input type="checkbox" name="consent" class="govuk-checkboxes__input"', html)
    assert "govuk-error-summary" not in html
    assert "govuk-form-group--error" not in html


def test_optional_questions_are_marked_optional():
    html = _render("{% load crispy_forms_tags %}{{ form|crispy }}", {"form": ReferralForm()})

    assert re.search(r'for="id_notes">\s*Notes \(optional\)\s*</label>', html)
    assert re.search(r'for="id_name">\s*Full name\s*</label>', html)


def test_radios_are_a_fieldset_whose_first_option_carries_the_field_id():
    html = _render("{% load crispy_forms_tags %}{{ form|crispy }}", {"form": _invalid_form()})

    fieldset = re.search(
        r'<fieldset class="govuk-fieldset" aria-describedby="id_stage-error">.*?</fieldset>',
        html,
        re.S,
    ).group(0)
    assert re.search(r"<legend class=\"govuk-fieldset__legend\">\s*TRM stage\s*</legend>", fieldset)
    assert '<div class="govuk-radios" data-module="govuk-radios">' in fieldset
    assert 'id="id_stage" name="stage" type="radio" value="safety"' in fieldset
    assert 'id="id_stage-2" name="stage" type="radio" value="relationships"' in fieldset
    assert (
        '<label class="govuk-label govuk-radios__label" for="id_stage-2">Relationships</label>'
        in fieldset
    )


def test_checked_checkboxes_stay_checked_after_an_error():
    form = _invalid_form(needs=["housing"])
    html = _render("{% load crispy_forms_tags %}{{ form|crispy }}", {"form": form})

    assert 'id="id_needs" name="needs" type="checkbox" value="drugs">' in html
    assert 'id="id_needs-2" name="needs" type="checkbox" value="housing" checked>' in html


def test_multi_part_input_is_labelled_and_linked_by_its_first_part():
    class AppointmentForm(forms.Form):
        starts_at = forms.SplitDateTimeField(label="Starts at")

    form = AppointmentForm(data={})
    assert not form.is_valid()
    html = _render("{% load crispy_forms_tags %}{{ form|crispy }}", {"form": form})

    assert '<a href="#id_starts_at_0">' in _error_summary(html)
    assert re.search(r'<label class="govuk-label" for="id_starts_at_0">', html)
    assert 'id="id_starts_at_0"' in html


def test_crispy_tag_draws_the_form_with_its_buttons():
    form = _invalid_form()
    form.helper = FormHelper()
    form.helper.form_id = "referral"
    form.helper.add_input(Submit("save", "Save referral"))
    request = RequestFactory().get("/")
    html = (
        engines["django"]
        .from_string("{% load crispy_forms_tags %}{% crispy form %}")
        .render({"form": form}, request)
    )

    assert re.search(r'<form\s+id="referral" method="post" novalidate>', html)
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<a href="#id_name">This field is required.</a>' in _error_summary(html)
    assert re.search(
        r'<button type="submit" name="save" value="Save referral" class="govuk-button"', html
    )


def test_error_summary_component_takes_macro_parameters():
    html = loader.render_to_string(
        "govuk/components/error_summary.html",
        {
            "titleText": "Check the consent",
            "errorList": [{"text": "Enter the date <consent> was given", "href": "#id_given_on"}],
        },
    )

    assert "Check the consent" in html
    assert '<a href="#id_given_on">Enter the date &lt;consent&gt; was given</a>' in html


def test_summary_list_escapes_text_and_keeps_safe_html():
    html = loader.render_to_string(
        "govuk/components/summary_list.html",
        {
            "rows": [
                {"key": {"text": "Name"}, "value": {"text": "<b>Jo</b>"}},
                {
                    "key": "Stage",
                    "value": {"html": format_html("<strong>{}</strong>", "Safety")},
                    "actions": {
                        "items": [
                            {"href": "/stage", "text": "Change", "visuallyHiddenText": "stage"}
                        ]
                    },
                },
            ]
        },
    )

    assert "&lt;b&gt;Jo&lt;/b&gt;" in html
    assert "<strong>Safety</strong>" in html
    assert "govuk-summary-list__row govuk-summary-list__row--no-actions" in html
    assert (
        '<a class="govuk-link" href="/stage">Change'
        '<span class="govuk-visually-hidden"> stage</span></a>' in html
    )


def test_pagination_links_keep_the_list_filters():
    page = Paginator(range(100), 10).page(5)
    request = RequestFactory().get("/cases/", {"team": "a", "page": "5"})
    html = loader.render_to_string("govuk/components/pagination.html", {"page": page}, request)

    assert 'href="?team=a&amp;page=4" rel="prev"' in html
    assert 'href="?team=a&amp;page=6" rel="next"' in html
    assert re.search(r'aria-label="Page 5" aria-current="page">5</a>', html)
    assert "govuk-pagination__item--ellipsis" in html


def test_server_error_page_renders_without_any_context():
    html = loader.get_template("500.html").render()

    assert "Sorry, there is a problem with the service" in html
    assert 'id="main-content"' in html
    assert "/static/vendor/govuk-frontend-6.6.0/govuk-frontend.min.css" in html


def _assert_no_inline_code(html):
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert not re.search(r"\sstyle=", html), "inline style attribute"
    assert "<style" not in html


def test_page_not_found_uses_the_service_layout(client):
    response = client.get("/no-such-page/")
    html = response.content.decode()

    assert response.status_code == 404
    assert '<html lang="en-gb" class="govuk-template">' in html
    assert "<title>Page not found – ECM case management</title>" in html
    assert '<a href="#main-content" class="govuk-skip-link"' in html
    assert '<main class="govuk-main-wrapper" id="main-content">' in html
    assert '<script type="module" src="/static/ecm/js/init.js"></script>' in html
    _assert_no_inline_code(html)


def test_language_switch_is_offered_to_signed_out_users(client):
    html = client.get("/no-such-page/?q=1").content.decode()

    forms_ = re.findall(
        rf'<form method="post" action="{reverse("set_language")}".*?</form>', html, re.S
    )
    assert len(forms_) == 2
    english, welsh = forms_
    assert 'name="next" value="/no-such-page/?q=1"' in welsh
    assert 'name="language" value="cy"' in welsh
    assert 'name="csrfmiddlewaretoken"' in welsh
    assert re.search(r'<button type="submit"[^>]*lang="cy">Cymraeg</button>', welsh)
    assert re.search(r'lang="en-gb" aria-current="true">English</button>', english)


def test_welsh_pages_say_they_are_welsh(client):
    html = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="cy").content.decode()

    assert '<html lang="cy" class="govuk-template">' in html
    assert re.search(r'lang="cy" aria-current="true">Cymraeg</button>', html)


def test_error_prefix_in_the_title_when_the_form_has_errors():
    template = engines["django"].from_string(
        '{% extends "base.html" %}{% block title %}Record consent{% endblock %}'
    )
    with override("en-gb"):
        html = template.render({"form": _invalid_form(), "service_name": "ECM case management"})

    assert "<title>Error: Record consent – ECM case management</title>" in html


def test_summary_list_row_escapes_text_and_keeps_captured_markup():
    template = engines["django"].from_string(
        "{% load govuk_components %}"
        "{% govuk_capture as value %}<strong>{{ stage }}</strong>{% endgovuk_capture %}"
        '{% include "govuk/components/summary_list_row.html" with key=name value=value'
        ' hasActions=True actionHref="/stage" actionText="Change" actionVisuallyHiddenText=name'
        " only %}"
        '{% include "govuk/components/summary_list_row.html" with key="Plain" value=name'
        " hasActions=False only %}"
    )
    html = template.render({"name": "<b>Jo</b>", "stage": "Safety & routine"})

    assert '<dt class="govuk-summary-list__key">&lt;b&gt;Jo&lt;/b&gt;</dt>' in html
    assert "<strong>Safety &amp; routine</strong>" in html
    assert (
        '<a class="govuk-link" href="/stage">Change'
        '<span class="govuk-visually-hidden"> &lt;b&gt;Jo&lt;/b&gt;</span></a>' in html
    )
    assert html.count("govuk-summary-list__row--no-actions") == 1


def test_notification_banner_takes_captured_markup_and_an_id():
    template = engines["django"].from_string(
        "{% load govuk_components %}"
        '{% govuk_capture as body %}<p class="govuk-body">{{ reason }}</p>{% endgovuk_capture %}'
        '{% include "govuk/components/notification_banner.html" with html=body'
        ' titleText="Archived" titleId="archived-title" id="archived" only %}'
    )
    html = template.render({"reason": "<script>"})

    assert 'id="archived"' in html and 'aria-labelledby="archived-title"' in html
    assert ">Archived</h2>" in html
    assert '<p class="govuk-body">&lt;script&gt;</p>' in html


def test_messages_become_notification_banners():
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message

    template = engines["django"].from_string('{% extends "base.html" %}')
    html = template.render(
        {
            "messages": [
                Message(constants.SUCCESS, "Consent recorded"),
                Message(constants.WARNING, "Review is overdue"),
            ]
        }
    )

    success, important = re.findall(
        r'<div class="govuk-notification-banner.*?</div>\s*</div>', html, re.S
    )
    assert "govuk-notification-banner--success" in success
    assert 'role="alert"' in success
    assert "Consent recorded" in success
    assert "govuk-notification-banner--success" not in important
    assert 'role="region"' in important
    assert ">Important</h2>" in important


def test_signed_in_pages_show_navigation_and_a_sign_out_button(client, practitioner):
    practitioner.last_name = "O'Sullivan"
    practitioner.save()
    client.force_login(practitioner)
    html = client.get("/").content.decode()

    nav = re.search(r'<nav aria-label="Menu".*?</nav>', html, re.S).group(0)
    assert 'aria-current="true"' in nav
    user_name = practitioner.get_full_name() or practitioner.username
    # Escaped as the page escapes it.
    assert f"Signed in as {escape(user_name)}" in html
    sign_out = re.search(
        rf'<form method="post" action="{reverse("accounts:logout")}".*?</form>', html, re.S
    )
    assert 'name="csrfmiddlewaretoken"' in sign_out.group(0)
    assert re.search(
        r'<button type="submit" class="govuk-link ecm-link-button">Sign out</button>', html
    )
    _assert_no_inline_code(html)
