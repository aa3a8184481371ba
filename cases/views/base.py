"""What the case views share: service errors onto forms, the conflict page, the case menu.

The eligibility, formulation and supervision views use these too, so a form posted to a
service behaves the same on every page.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (or at the top)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def return_url(request) -> str:
    """Where to go back to after the form (`next`, posted by the form or given in the link
    to it), if it is a page of this service; "" otherwise, so a link cannot send the user
    elsewhere."""
    url = request.POST.get("next") or request.GET.get("next", "")
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def submitted(request, form, service, /, **arguments):
    """What `service` returns for a valid posted form, or None.

    The service is called with `by=request.user`, `arguments` and the form's cleaned data
    (the forms' field names are the services' keyword arguments). None means there is nothing
    to confirm yet: the page was only opened, the form is invalid, or the service refused it,
    whose ValidationError is then on the form next to the fields it names. For services that
    return what they recorded.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return service(by=request.user, **arguments, **form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def changed_fields(form, current, names, shown) -> list[tuple[str, str, str]]:
    """The conflict page's rows: (label, saved, typed) for each field in `names` whose saved
    value is not what the user typed, both as `shown(name, value)` puts them on screen."""
    rows = []
    for name in names:
        saved = shown(name, getattr(current, name))
        typed = shown(name, form.cleaned_data.get(name))
        if saved != typed:
            rows.append((form.fields[name].label, saved, typed))
    return rows


def with_saved_version(request, form_class, current, **form_kwargs):
    """The user's input again, bound with the version saved now: saving it again is then a
    deliberate choice to overwrite the other person's change."""
    data = request.POST.copy()
    data["version"] = str(current.version)
    return form_class(data, **form_kwargs)


def render_conflict(request, *, form, current, young_person, what: str, fields):
    """Someone else saved first: show their values beside what this user typed (kept).

    `fields` lists (label, current value, submitted value) rows for the comparison table.
    The form is re-rendered with the user's input and the new version number, so saving it
    again is a deliberate choice to overwrite.
    """
    return render(
        request,
        "cases/conflict.html",
        {
            "form": form,
            "current": current,
            "young_person": young_person,
            "what": what,
            "fields": fields,
        },
        status=409,
    )


def next_or(request, default):
    """Go back where the form came from (`return_url`; so a task marked done from "My tasks"
    returns there), else to `default` (a redirect)."""
    target = return_url(request)
    return redirect(target) if target else default
