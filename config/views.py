"""Project-level views that belong to no app."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness probe for the proxy and the process manager: answers without touching the database.

    It goes through the whole middleware stack, so the benchmarks under ``bench/`` also use it as the
    "minimal view" that every page's throughput is compared with.
    """
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
