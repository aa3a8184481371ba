"""What the views share: handing a posted form to its service, and the conflict page's rows."""

from types import SimpleNamespace

from django import forms
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from cases.views.base import changed_fields, submitted, with_saved_version


class NoteForm(forms.Form):
    text = forms.CharField(label="Text")


class VersionedNoteForm(NoteForm):
    title = forms.CharField(label="Title", required=False)
    version = forms.IntegerField(required=False)

    def __init__(self, *args, prefix_text="", **kwargs):
        super().__init__(*args, **kwargs)
        self.prefix_text = prefix_text


def request(method="post", data=None):
    made = getattr(RequestFactory(), method)("/", data or {})
    made.user = SimpleNamespace(username="alice")
    return made


def recorded(*, by, young_person, text):
    return {"by": by.username, "young_person": young_person, "text": text}


def refused(*, by, young_person, text):
    raise ValidationError({"text": "Text is not allowed", "young_person": "Closed case"})


def test_a_valid_post_calls_the_service_as_the_user_with_the_cleaned_data():
    posted = request(data={"text": "Seen at home"})
    result = submitted(posted, NoteForm(posted.POST), recorded, young_person=7)
    assert result == {"by": "alice", "young_person": 7, "text": "Seen at home"}


def test_opening_the_page_calls_no_service():
    opened = request("get", {"text": "Seen at home"})
    assert submitted(opened, NoteForm(opened.GET), recorded, young_person=7) is None


def test_an_invalid_form_calls_no_service():
    posted = request(data={})
    form = NoteForm(posted.POST)
    assert submitted(posted, form, recorded, young_person=7) is None
    assert form.errors == {"text": ["This field is required."]}


def test_a_refusal_puts_the_services_messages_next_to_the_fields_they_name():
    posted = request(data={"text": "Seen at home"})
    form = NoteForm(posted.POST)
    assert submitted(posted, form, refused, young_person=7) is None
    assert form.errors["text"] == ["Text is not allowed"]
    assert form.non_field_errors() == ["Closed case"]


def test_the_conflict_rows_are_the_fields_whose_saved_value_differs_as_shown():
    form = VersionedNoteForm({"text": "Typed", "title": "same"})
    assert form.is_valid()
    current = SimpleNamespace(text="Saved", title="SAME")
    rows = changed_fields(form, current, ("text", "title"), lambda _name, value: value.upper())
    assert rows == [("Text", "SAVED", "TYPED")]


def test_the_input_comes_back_with_the_version_saved_now():
    posted = request(data={"text": "Typed", "version": "3"})
    form = with_saved_version(
        posted, VersionedNoteForm, SimpleNamespace(version=5), prefix_text="again"
    )
    assert form.data["version"] == "5"
    assert form.data["text"] == "Typed"
    assert form.prefix_text == "again"
