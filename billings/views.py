"""Site-wide pages: home, health check and error pages. Business logic lives in the apps."""

import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponsePermanentRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.static import serve

from billings.middleware import database_unavailable_response
from gamification.views import dashboard
from questions.selectors import exam_catalogue


@require_safe
def home(request):
    """Anonymous visitors see what Billings is; signed-in learners get their dashboard."""
    if request.user.is_authenticated:
        return dashboard(request)
    return render(request, "home.html", {"exams": exam_catalogue(current_only=True)})


@require_safe
@never_cache
def healthz(request):
    """200 with a tiny JSON body when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the pages' <link rel="icon"> says: the SVG icon."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


@require_safe
def media(request, path):
    """An uploaded file from MEDIA_ROOT (read at request time, so tests can point it elsewhere)."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    """500 page; a lost database (raised anywhere in the stack) becomes a friendly 503.

    Rendered without context processors: the failure may be the database itself.
    """
    exception = sys.exc_info()[1]
    if isinstance(exception, (OperationalError, InterfaceError)):
        return database_unavailable_response()
    return HttpResponseServerError(loader.get_template("errors/500.html").render())


def too_many_requests(request, exception=None):
    return render(request, "429.html", status=429)
