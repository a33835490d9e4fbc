"""Turn a lost database connection into a friendly 503 instead of a traceback."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            logger.error("Database unavailable: %s", exception)
            body = loader.get_template("errors/503.html").render({"request": request})
            response = HttpResponse(body, status=503)
            response["Retry-After"] = "30"
            return response
        return None
