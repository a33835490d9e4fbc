"""Turn a lost database connection into a friendly 503 instead of a traceback."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

logger = logging.getLogger(__name__)


def database_unavailable_response():
    body = loader.get_template("errors/503.html").render()
    response = HttpResponse(body, status=503)
    response["Retry-After"] = "30"
    return response


class DatabaseUnavailableMiddleware:
    """Answers 503 when a view fails because the database cannot be reached.

    Failures raised in other middleware (a session lookup, say) reach ``handler500``, which
    makes the same 503; see ``billings.views.server_error``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            logger.error("Database unavailable: %s", exception)
            return database_unavailable_response()
        return None
