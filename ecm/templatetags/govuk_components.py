"""Small helpers behind the GOV.UK component includes in templates/govuk/components/.

The includes take parameters the way the GOV.UK Frontend macros do; what a Django template
cannot express on its own (choosing ``html`` over ``text``, building page links) lives here.
"""

from django import template
from django.core.paginator import Page
from django.utils.html import conditional_escape
from django.utils.translation import gettext as _

register = template.Library()


def _lookup(value, name):
    if isinstance(value, dict):
        return value.get(name)
    return getattr(value, name, None)


@register.simple_tag
def govuk_text(value):
    """A cell, key or value given as ``{html}``, ``{text}`` or a plain value, made safe.

    ``html`` is trusted only if it is already a safe string (``format_html``); a plain
    string is escaped like any text.
    """
    if isinstance(value, dict):
        html = value.get("html")
        if html:
            return conditional_escape(html)
        value = value.get("text", "")
    if value is None:
        return ""
    return conditional_escape(value)


@register.simple_tag
def govuk_any_row_has_actions(rows) -> bool:
    """Whether any summary list row has actions (the others then get the no-actions class)."""
    for row in rows or ():
        actions = _lookup(row, "actions") if row else None
        if actions and _lookup(actions, "items"):
            return True
    return False


def _page_url(request, number, parameter):
    query = request.GET.copy() if request is not None else None
    if query is None:
        return f"?{parameter}={number}"
    query[parameter] = number
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def govuk_pagination(context, page=None, items=None, previous=None, next_=None, parameter="page"):
    """Pagination parameters: as given, or built from a Django ``Page`` when there is one.

    Built links keep the rest of the query string (the list's filters) and change only
    ``page``.
    """
    if not isinstance(page, Page):
        return {"items": items or [], "previous": previous or None, "next": next_ or None}
    request = context.get("request")
    paginator = page.paginator
    built = []
    for number in paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
        if number == paginator.ELLIPSIS:
            built.append({"ellipsis": True})
        else:
            built.append(
                {
                    "number": number,
                    "href": _page_url(request, number, parameter),
                    "current": number == page.number,
                    "visuallyHiddenText": _("Page %(number)s") % {"number": number},
                }
            )
    return {
        "items": built if paginator.num_pages > 1 else [],
        "previous": {"href": _page_url(request, page.previous_page_number(), parameter)}
        if page.has_previous()
        else None,
        "next": {"href": _page_url(request, page.next_page_number(), parameter)}
        if page.has_next()
        else None,
    }
