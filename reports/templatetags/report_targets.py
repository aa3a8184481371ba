"""`{% targets_table report.document %}`: the report's measures against the targets it was
made with (reports.targets), on the web page and in the HTML and PDF alike."""

from django import template

from accounts.models import Team, labels_by_code

from .. import targets

register = template.Library()


@register.inclusion_tag("reports/_targets.html")
def targets_table(document):
    rows = []
    if document and targets.any_target(document.get("targets")):
        rows = targets.report_rows(document, labels_by_code(Team, document["by_team"]))
    return {"rows": rows, "caption_id": "targets-report"}
