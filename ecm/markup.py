"""Escaping for HTML built in Python, where a template loop would be too slow.

Django's ``conditional_escape`` is the same rule, but each call goes through its lazy-string
wrapper; for the thousand cells of a team's summary tables that wrapper was most of the cost.
"""

import html


def escaped(value) -> str:
    """``value`` as HTML text: safe strings (``format_html``, ``mark_safe``) as they are,
    anything else escaped exactly as Django escapes (``& < > " '``)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))
