"""Small helpers behind the GOV.UK component includes in templates/govuk/components/.

The includes take parameters the way the GOV.UK Frontend macros do; what a Django template
cannot express on its own (choosing ``html`` over ``text``, building page links) lives here.
"""

from django import template
from django.core.paginator import Page
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ecm.markup import escaped

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


def _text(cell) -> str:
    """What ``govuk_text`` gives, for cells built in Python (see ecm.markup)."""
    if isinstance(cell, dict):
        if cell.get("html"):
            return escaped(cell["html"])
        cell = cell.get("text", "")
    return "" if cell is None else escaped(cell)


def _cell(cell, tag: str, kind: str, scope: str = "", numeric: bool = True) -> str:
    """One table cell as HTML; every value in it is escaped unless it is already safe."""
    classes = f"govuk-table__{kind}"
    attributes = f' scope="{scope}"' if scope else ""
    if isinstance(cell, dict):
        if numeric and cell.get("format"):
            classes += f" govuk-table__{kind}--{escaped(cell['format'])}"
        if cell.get("classes"):
            classes += f" {escaped(cell['classes'])}"
        for name in ("colspan", "rowspan"):
            if cell.get(name):
                attributes += f' {name}="{escaped(cell[name])}"'
    return f'<{tag}{attributes} class="{classes}">{_text(cell)}</{tag}>'


def _table_row(row, first_cell_is_header: bool) -> str:
    cells = "".join(
        _cell(cell, "th", "header", scope="row", numeric=False)
        if index == 0 and first_cell_is_header
        else _cell(cell, "td", "cell")
        for index, cell in enumerate(row)
    )
    return f'<tr class="govuk-table__row">{cells}</tr>'


@register.simple_tag
def govuk_table(
    rows,
    head=None,
    caption="",
    captionClasses="",  # noqa: N803 (the GOV.UK Frontend parameter names)
    firstCellIsHeader=False,  # noqa: N803
    classes="",
):
    """A GOV.UK table, like govukTable: ``rows`` of cells, an optional ``head`` and caption.

    A cell is ``{text or html, format ("numeric"), classes, colspan, rowspan}`` or a plain
    value; ``html`` must be a safe string (``format_html``), anything else is escaped. Built
    in Python rather than a template because a team's summary tables have over a thousand
    cells, which a template loop took tens of milliseconds over (docs/benchmarks.md).
    """
    table_classes = " ".join(filter(None, ["govuk-table", escaped(classes)]))
    parts = [f'<table class="{table_classes}">']
    if caption:
        caption_classes = " ".join(filter(None, ["govuk-table__caption", escaped(captionClasses)]))
        parts.append(f'<caption class="{caption_classes}">{escaped(caption)}</caption>')
    if head:
        header = "".join(_cell(item, "th", "header", scope="col") for item in head)
        parts.append(
            f'<thead class="govuk-table__head"><tr class="govuk-table__row">{header}</tr></thead>'
        )
    body = "\n".join(_table_row(row, firstCellIsHeader) for row in rows or () if row)
    parts.append(f'<tbody class="govuk-table__body">\n{body}\n</tbody>\n</table>')
    return mark_safe("\n".join(parts))  # noqa: S308 (every value above is escaped)


class _CaptureNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist, self.name = nodelist, name

    def render(self, context):
        # Rendered template output: every variable in it was escaped as it was rendered.
        context[self.name] = mark_safe(self.nodelist.render(context))  # noqa: S308
        return ""


@register.tag
def govuk_capture(parser, token):
    """``{% govuk_capture as name %}...{% endgovuk_capture %}``: the rendered block as a safe
    string, to pass as a component's ``html`` (what Nunjucks' ``{% set %}`` block does for the
    GOV.UK Frontend macros)."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Usage: {% govuk_capture as name %}")
    nodelist = parser.parse(("endgovuk_capture",))
    parser.delete_first_token()
    return _CaptureNode(nodelist, bits[2])


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
