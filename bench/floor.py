"""Bench-only URLs: the cheapest requests an answer could ever cost, to put the aim in context.

``bench.settings_bench`` serves these beside the real URLconf, so the load bench can measure,
on the same servers and in the same run as ``/healthz`` and the real answer endpoint:

- ``GET /bench/floor/read/``: a signed-in page that does nothing (session and user read, a
  two-byte response). Every learner page pays at least this.
- ``POST /bench/floor/write/<attempt>/<position>/``: the signed-in learner's item of an attempt
  locked and updated in one transaction, and a two-byte response: the least any endpoint that
  stores an answer safely must do (CSRF, session, user, BEGIN, a locked write, COMMIT).

Nothing here is reachable from ``billings.urls``.
"""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST, require_safe

from billings.urls import urlpatterns as billings_urlpatterns
from exams.models import AttemptItem


@require_safe
@login_required
def floor_read(request):
    return HttpResponse("ok", content_type="text/plain")


@require_POST
@login_required
def floor_write(request, attempt_id, position):
    with transaction.atomic():
        updated = AttemptItem.objects.filter(
            attempt_id=attempt_id, attempt__user=request.user, position=position
        ).update(flagged=request.POST.get("flagged") == "1")
    if not updated:
        raise Http404("No such item.")
    return HttpResponse("ok", content_type="text/plain")


handler403 = "billings.views.permission_denied"
handler404 = "billings.views.page_not_found"
handler500 = "billings.views.server_error"
handler429 = "billings.views.too_many_requests"

urlpatterns = [
    path("bench/floor/read/", floor_read, name="bench-floor-read"),
    path("bench/floor/write/<int:attempt_id>/<int:position>/", floor_write),
    *billings_urlpatterns,
]
