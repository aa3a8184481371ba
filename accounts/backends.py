"""Loading the signed-in user on each request, with the facts every page shows about them.

Apps register a per-user fact as a query expression (for example the number of unread
notifications, which the header shows); the user's own query computes them all, so showing
them on every page costs no query of its own.
"""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

_FACTS: dict[str, Callable] = {}


def register_user_fact(name: str, expression: Callable) -> None:
    """`expression()`: a query expression evaluated on the user's row (OuterRef("pk"))."""
    _FACTS[name] = expression


class AccountBackend(ModelBackend):
    """Django's username and password sign-in; the user is loaded with the registered facts."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.annotate(
            **{name: expression() for name, expression in _FACTS.items()}
        )
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
