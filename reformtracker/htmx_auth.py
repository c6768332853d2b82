"""Sign-in required, htmx-aware: a signed-out request (a session that timed out while a page was
open) is sent to the sign-in page; for an htmx request through HX-Redirect, so the browser goes
there rather than htmx swapping the sign-in form into a fragment of the page. After signing in,
the user comes back to the page they were on (the htmx request's current URL), not to the
address a fragment was posted to."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django_htmx.http import HttpResponseClientRedirect


def login_required(view=None, *, fallback: str = "/"):
    """``fallback``: where to come back to when htmx does not say which page it was on."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                if request.htmx:
                    back = request.htmx.current_url_abs_path or fallback
                    return HttpResponseClientRedirect(redirect_to_login(back).url)
                return redirect_to_login(request.get_full_path())
            return view(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate
