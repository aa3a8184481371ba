from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts import navigation
from work.selectors import unread_count

LANGUAGE_NAMES = {"en-gb": "English", "cy": "Cymraeg"}  # each in its own language


def service(request):
    """What every page needs: service name, navigation for this user, languages, demo flag."""
    current = get_language()
    nav_items = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        path = request.path
        for entry in navigation.entries_for(user):
            url = reverse(entry.url_name)
            active = path == url if url == "/" else path.startswith(url)
            nav_items.append({"label": str(entry.label), "url": url, "active": active})
    return {
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user))
        if user is not None and user.is_authenticated
        else 0,
        "service_name": _("ECM case management"),
        "nav_items": nav_items,
        "demo_mode": settings.ECM_DEMO,
        "require_2fa": settings.ECM_REQUIRE_2FA,
        "languages": [
            {"code": code, "name": LANGUAGE_NAMES.get(code, code), "current": code == current}
            for code, _name in settings.LANGUAGES
        ],
    }
