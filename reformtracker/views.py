"""Cross-cutting views: a health check for load balancers and the benchmark."""

from django.http import HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def healthz(request):
    """Answers "ok" without touching the database: the trivial baseline of bench/."""
    return HttpResponse("ok", content_type="text/plain")
