"""``{% scroll_region %}<table>…</table>{% endscroll_region %}``: a wide table that scrolls
sideways inside its own box on a narrow screen, so that the page itself never does.

The box is a labelled region that takes keyboard focus (``tabindex="0"``), so someone without a
mouse or touch screen can scroll it with the arrow keys, and a screen reader announces what it
holds. Its label is the table's caption, or the words given: ``{% scroll_region label %}``.
Its style is ``.ecm-table-scroll`` in static/ecm/css/ecm.css; on paper it does not scroll.
"""

import html
import re

from django import template
from django.utils.html import format_html, strip_tags
from django.utils.translation import gettext as _

register = template.Library()

_CAPTION = re.compile(r"<caption\b[^>]*>(.*?)</caption>", re.DOTALL | re.IGNORECASE)


def _caption_of(content: str) -> str:
    found = _CAPTION.search(content)
    if not found:
        return ""
    return " ".join(html.unescape(strip_tags(found.group(1))).split())


class _ScrollRegionNode(template.Node):
    def __init__(self, nodelist, label):
        self.nodelist, self.label = nodelist, label

    def render(self, context):
        content = self.nodelist.render(context)
        label = self.label.resolve(context) if self.label else ""
        label = label or _caption_of(content) or _("Table")
        return format_html(
            '<div class="ecm-table-scroll" role="region" aria-label="{}" tabindex="0">{}</div>',
            label,
            content,
        )


@register.tag
def scroll_region(parser, token):
    bits = token.split_contents()
    if len(bits) > 2:
        raise template.TemplateSyntaxError("Usage: {% scroll_region [label] %}")
    nodelist = parser.parse(("endscroll_region",))
    parser.delete_first_token()
    return _ScrollRegionNode(nodelist, parser.compile_filter(bits[1]) if len(bits) == 2 else None)
