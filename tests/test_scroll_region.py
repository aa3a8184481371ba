"""The scroll region around wide tables: a focusable, labelled box that scrolls sideways."""

from pathlib import Path

from django.template import Context, Template
from django.test import Client

TABLE = (
    '<table class="govuk-table"><caption class="govuk-table__caption">'
    "Appointments <span>this week</span> &amp; next</caption><tr><td>x</td></tr></table>"
)


def render(source, **context):
    return Template("{% load scroll_region %}" + source).render(Context(context))


def test_region_is_focusable_and_named_after_the_tables_caption():
    html = render("{% scroll_region %}" + TABLE + "{% endscroll_region %}")
    assert html.startswith(
        '<div class="ecm-table-scroll" role="region" '
        'aria-label="Appointments this week &amp; next" tabindex="0">'
    )
    assert html.endswith("</table></div>")


def test_region_takes_the_label_given_and_escapes_it():
    html = render("{% scroll_region label %}<table></table>{% endscroll_region %}", label="<b>")
    assert 'aria-label="&lt;b&gt;"' in html


def test_a_table_without_caption_or_label_is_still_named():
    html = render("{% scroll_region %}<table></table>{% endscroll_region %}")
    assert 'aria-label="Table"' in html


def test_every_table_in_the_templates_scrolls_in_its_own_region():
    templates = Path(__file__).resolve().parents[1] / "templates"
    unwrapped = []
    for path in templates.rglob("*.html"):
        if "admin" in path.parts:
            continue
        text = path.read_text()
        tables = text.count("<table") + text.count("{% govuk_table ")
        if tables != text.count("{% scroll_region"):
            unwrapped.append(str(path.relative_to(templates)))
    assert unwrapped == []


def test_every_page_links_the_print_style_sheet(db):
    body = Client().get("/account/sign-in/").content.decode()
    assert 'rel="stylesheet" media="print" href="/static/ecm/css/print.css"' in body
