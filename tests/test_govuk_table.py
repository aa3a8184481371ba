"""The GOV.UK table tag: the markup of govukTable, with every value escaped unless safe."""

from django.template import Context, Template
from django.utils.html import format_html

TEMPLATE = Template(
    "{% load govuk_components %}"
    "{% govuk_table rows head=head caption=caption captionClasses='govuk-table__caption--m' "
    "firstCellIsHeader=first classes='govuk-table--small-text-until-tablet' %}"
)


def render(rows, head=None, caption="", first=True):
    return TEMPLATE.render(
        Context({"rows": rows, "head": head, "caption": caption, "first": first})
    )


def test_caption_head_and_rows_have_the_govuk_classes_and_scopes():
    html = render(
        [[{"text": "Ann Jones"}, {"text": 3, "format": "numeric"}]],
        head=[{"text": "Practitioner"}, {"text": "Active", "format": "numeric"}],
        caption="Young people by status",
    )
    assert '<table class="govuk-table govuk-table--small-text-until-tablet">' in html
    assert (
        '<caption class="govuk-table__caption govuk-table__caption--m">'
        "Young people by status</caption>"
    ) in html
    assert '<th scope="col" class="govuk-table__header">Practitioner</th>' in html
    assert (
        '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Active</th>'
    ) in html
    assert '<th scope="row" class="govuk-table__header">Ann Jones</th>' in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">3</td>' in html


def test_text_is_escaped_and_only_safe_html_is_kept():
    html = render(
        [
            [
                {"text": "<script>alert(1)</script>"},
                {"html": format_html('<a class="govuk-link" href="{}">{}</a>', "?p=1", "O'Neil")},
                {"html": "<b>not marked safe</b>"},
                "<i>plain</i>",
            ]
        ],
        caption="<Cases>",
    )
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a class="govuk-link" href="?p=1">O&#x27;Neil</a>' in html
    assert "&lt;b&gt;not marked safe&lt;/b&gt;" in html
    assert "&lt;i&gt;plain&lt;/i&gt;" in html
    assert "&lt;Cases&gt;" in html


def test_spans_and_classes_are_kept_and_empty_rows_skipped():
    html = render(
        [[], [{"text": "Total", "colspan": 2, "classes": "govuk-!-font-weight-bold"}]],
        first=False,
    )
    assert html.count('<tr class="govuk-table__row">') == 1
    assert '<td colspan="2" class="govuk-table__cell govuk-!-font-weight-bold">Total</td>' in html
    assert "<thead" not in html
    assert "<caption" not in html
