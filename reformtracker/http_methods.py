"""Which HTTP methods each address answers, in one place.

A method a view does not handle gets 405 with an Allow header — TRACE, PUT or DELETE on a public
page reached the view and got the page (or CSRF's 403) before. OPTIONS gets the Allow header and
no body. HEAD is answered wherever GET is, as GET without the body, also for views decorated
``require_GET`` (which refuses HEAD by itself).

A view's methods are read from the view: a class-based view's handlers, the list a
``require_http_methods`` decorator (require_GET, require_POST …) was given, and otherwise GET and
POST; the public pages (every address outside the staff, account, admin and language areas)
are read-only: GET.
"""

from django.http import HttpResponse, HttpResponseNotAllowed

from reformtracker.public_pages import NOT_PUBLIC

# The addresses that are not public pages (reformtracker/urls.py): staff and office pages,
# sign-in, the admin, the health check and the language switch.


def _decorated_methods(view) -> list[str] | None:
    """The list given to require_http_methods on the view or any view it wraps."""
    while view is not None:
        code = getattr(view, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = view.__closure__[code.co_freevars.index("request_method_list")]
            return list(cell.cell_contents)
        view = getattr(view, "__wrapped__", None)
    return None


# An HTML site with forms: no view here takes PUT, PATCH or DELETE (Django's form views define a
# put() that re-runs post(); the sign-in form is not meant to be PUT).
SITE_METHODS = ("GET", "HEAD", "POST", "OPTIONS")


def allowed_methods(request, view) -> list[str]:
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        methods = [
            m.upper()
            for m in view_class.http_method_names
            if hasattr(view_class, m) and m.upper() in SITE_METHODS
        ]
        if "GET" in methods and "HEAD" not in methods:
            methods.append("HEAD")  # View.setup answers HEAD with get()
    else:
        methods = _decorated_methods(view)
        if methods is None:
            methods = ["GET", "POST"] if request.path_info.startswith(NOT_PUBLIC) else ["GET"]
        methods = [m.upper() for m in methods]
    if "GET" in methods and "HEAD" not in methods:
        methods.append("HEAD")
    if "OPTIONS" not in methods:
        methods.append("OPTIONS")
    return methods


class AllowedMethodsMiddleware:
    """Before CSRF (its process_view runs first), so a PUT is 405, not a missing token's 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "_head_as_get", False):
            request.method = "HEAD"
            if not response.streaming:
                # The length GET would have sent, and no body (RFC 9110 9.3.2).
                length = len(response.content)
                response.content = b""
                response["Content-Length"] = str(length)
        return response

    def process_view(self, request, view, view_args, view_kwargs):
        methods = allowed_methods(request, view)
        if request.method == "OPTIONS":
            response = HttpResponse(status=200)
            response["Allow"] = ", ".join(methods)
            response["Content-Length"] = "0"
            return response
        if request.method not in methods:
            return HttpResponseNotAllowed(methods)
        if request.method == "HEAD" and "HEAD" not in (_decorated_methods(view) or ["HEAD"]):
            # require_GET refuses HEAD: it runs as GET, and __call__ drops the body.
            request.method = "GET"
            request._head_as_get = True
        return None
