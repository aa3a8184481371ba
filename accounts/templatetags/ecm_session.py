"""The idle sign-out time and drafts, for the page furniture in base.html."""

from django import template

from accounts.middleware import session_state

register = template.Library()


@register.simple_tag(takes_context=True)
def idle_session(context) -> dict:
    """How long the signed-in user's session has left if they do nothing (see
    ``accounts.middleware.session_state``)."""
    return session_state(context["request"])
