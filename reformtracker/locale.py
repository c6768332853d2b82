"""The language of a request: by its address on public pages, by a cookie in signed-in areas.

Public pages live under ``i18n_patterns`` (Japanese at /, English at /en/): the address is the
language, so a page can be shared and cached by its path. The signed-in areas (the staff and
office pages, sign-in, the admin: ``PRIVATE_AREAS``) have one address in both languages — their
links, htmx fragments, redirects and bookmarks stay as they are — and follow the choice the
language switch posted to Django's ``set_language`` view, kept in ``LANGUAGE_COOKIE_NAME``.
Django's LocaleMiddleware would answer Japanese for every unprefixed path when the default
language is unprefixed; this one differs there only. A browser's Accept-Language is not read:
staff get the site's language (Japanese) until they choose.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from reformtracker.public_pages import PRIVATE_AREAS


def chosen_language(request) -> str | None:
    """The language the cookie names, when it is one of the site's."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if code and code in dict(settings.LANGUAGES):
        return code
    return None


class SiteLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        if request.path_info.startswith(PRIVATE_AREAS):
            translation.activate(chosen_language(request) or settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = translation.get_language()
            return
        super().process_request(request)
