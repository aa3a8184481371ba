"""`{% render_panel panel %}`: render a higher app's record-page panel with its own context."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def render_panel(context, panel):
    panel_template = context.template.engine.get_template(panel["template"])
    with context.push(**panel["context"]):
        return panel_template.render(context)
