"""The admin site: Django's, refusing junk ids in bulk actions with 400 instead of a 500."""

import re
from functools import wraps

from django.contrib.admin import AdminSite
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.http import HttpResponseBadRequest

# A primary key as the admin sends it: ASCII digits that fit a 64-bit integer column.
ID = re.compile(r"[0-9]{1,18}")


def admin_id(value) -> int | None:
    """``value`` as a row id, or None when it cannot be one (a word, "²", 10**30)."""
    if isinstance(value, str) and ID.fullmatch(value):
        return int(value)
    return None


class BillingsAdminSite(AdminSite):
    def admin_view(self, view, cacheable=False):
        """Every admin view: a bulk action naming a row that cannot exist is a 400 (Django
        filters ``pk__in`` with the raw values and fails with a 500 on "abc")."""

        @wraps(view)
        def checked(request, *args, **kwargs):
            if request.method == "POST" and any(
                admin_id(value) is None for value in request.POST.getlist(ACTION_CHECKBOX_NAME)
            ):
                return HttpResponseBadRequest("A selected row id is not a number.")
            return view(request, *args, **kwargs)

        return super().admin_view(checked, cacheable)
