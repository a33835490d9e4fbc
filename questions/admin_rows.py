"""The rows of an admin list page, worked out once per column instead of once per cell.

Django's admin builds each cell of a list page from scratch: it looks the column up on the
model (an exception for every method column), renders the action checkbox through the form
widget templates, reverses the row's change URL and merges the list's filters into it (a URL
``resolve()`` per link), and asks the static files storage for the yes/no icon of every
boolean. At 50 rows and eleven columns that is most of the page's time, so a page of one
question and a page of fifty differed by a factor of 2.6 (issue 13, docs/BENCHMARKS.md).

``compiled_rows`` decides those things once per page: each column becomes a small function
from a row to its cell's HTML, the change URL is made once with a stand-in for the id, and the
icons and the checkbox are made once and filled in per row. The HTML is the same as Django's,
character for character (questions/tests/test_admin_rows.py compares them on many pages).

What it does not know it leaves to Django: a list with editable fields, a popup (its links
carry the row's value for the opener), a row URL from a custom ``ChangeList``, a primary key
that is not an integer, or a column that is neither a model field nor a method of the admin
(a model property, ``__str__``, a ``relation__field`` lookup) make ``compiled_rows`` return
None, and the page uses Django's own rows.
"""

import datetime

from django.contrib.admin import ModelAdmin
from django.contrib.admin.templatetags.admin_list import _boolean_icon
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_field, display_for_value
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape, escape

# Stands in for the row's id (and the row's name) while the change URL and the checkbox are
# made once; digits, so the admin's ``<path:object_id>`` route still resolves the URL and no
# escaping touches them.
ID_STAND_IN = "918273645546372819"
NAME_STAND_IN = "564738291827364554"


def _checkbox(model_admin):
    """The action checkbox's HTML as a function of the row, the widget rendered once."""

    def own(obj):
        return str(conditional_escape(model_admin.action_checkbox(obj)))

    if type(model_admin).action_checkbox is not ModelAdmin.action_checkbox:
        return own

    class StandIn:
        pk = ID_STAND_IN

        def __str__(self):
            return NAME_STAND_IN

    html = str(ModelAdmin.action_checkbox(model_admin, StandIn()))
    before_id, found_id, rest = html.partition(ID_STAND_IN)
    before_name, found_name, after = rest.partition(NAME_STAND_IN)
    if not (found_id and found_name) or ID_STAND_IN in after or NAME_STAND_IN in after:
        return own
    return lambda obj: f"{before_id}{escape(obj.pk)}{before_name}{escape(obj)}{after}"


def _change_url(cl):
    """(before the id, after the id) of the rows' change links, escaped as Django's rows are;
    () when the model has no change URL; None when the URL cannot be made once for all rows."""
    pk_field = cl.lookup_opts.pk
    if type(cl).url_for_result is not ChangeList.url_for_result or not isinstance(
        pk_field, (models.AutoField, models.BigAutoField, models.IntegerField)
    ):
        return None
    try:
        url = reverse(
            f"admin:{cl.opts.app_label}_{cl.opts.model_name}_change",
            args=(ID_STAND_IN,),
            current_app=cl.model_admin.admin_site.name,
        )
    except NoReverseMatch:
        return ()
    url = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url)
    before, found, after = escape(url).partition(ID_STAND_IN)
    return (before, after) if found else None


def _value_getter(cl, name):
    """(model field or None, the column's attribute or None, a function of the row giving the
    column's value), as Django's ``lookup_field`` finds them; None for a column whose value
    only Django's own lookup gives (a model property or method, ``__str__``, a lookup across
    relations, a reverse relation, an ``<fk>_id`` column)."""
    if callable(name):
        return None, name, name
    if LOOKUP_SEP in name:
        return None
    try:
        field = cl.lookup_opts.get_field(name)
    except FieldDoesNotExist:
        field = None
    if field is not None:
        plain = not field.is_relation or (
            (field.many_to_one or field.one_to_one)
            and field.related_model is not None
            and field.concrete
            and field.attname != name
        )
        if not plain:
            return None
        # Django shows an automatic field (the id) as a plain value, not through its field.
        return (None if field.auto_created else field), None, lambda obj: getattr(obj, name)
    if name != "__str__" and hasattr(cl.model_admin, name):
        attr = getattr(cl.model_admin, name)
        return None, attr, attr
    return None


def _text(cl, name, *, link, icons, checkbox):
    """A function of the row giving column ``name``'s escaped HTML and whether the cell
    does not wrap, or None."""
    found = _value_getter(cl, name)
    if found is None:
        return None
    field, attr, value_of = found
    if name == "action_checkbox":
        return lambda obj: (checkbox(obj), False)
    # A column's own "empty" text is for an empty value; a related row that does not exist
    # shows the list's.
    missing = cl.model_admin.get_empty_value_display()
    empty = getattr(attr, "empty_value_display", missing)
    missing = conditional_escape(missing)
    if field is None:
        boolean = getattr(attr, "boolean", False)
        if isinstance(attr, property) and hasattr(attr, "fget"):
            boolean = getattr(attr.fget, "boolean", False)

        def shown(value):
            if boolean and (value is True or value is False or value is None):
                return icons[value], False
            html = conditional_escape(display_for_value(value, empty, boolean))
            return html, isinstance(value, (datetime.date, datetime.time))

    else:
        nowrap = isinstance(field, (models.DateField, models.TimeField, models.ForeignKey))
        if isinstance(field.remote_field, models.ManyToOneRel):

            def shown(value):
                return conditional_escape(empty if value is None else value), nowrap

        elif isinstance(field, models.BooleanField) and not getattr(field, "flatchoices", None):

            def shown(value):
                if value is True or value is False or value is None:
                    return icons[value], nowrap
                return conditional_escape(display_for_field(value, field, empty)), nowrap

        else:
            # A field's display depends on its value only (and on the request's language and
            # time zone, fixed for the page): a bank imported at once shares its times.
            seen = {}

            def shown(value):
                try:
                    return seen[value], nowrap
                except KeyError:
                    html = seen[value] = conditional_escape(
                        display_for_field(value, field, empty, avoid_link=link)
                    )
                except TypeError:  # an unhashable value (a JSON field's list)
                    html = conditional_escape(
                        display_for_field(value, field, empty, avoid_link=link)
                    )
                return html, nowrap

    def text(obj):
        try:
            value = value_of(obj)
        except ObjectDoesNotExist:
            return missing, False
        return shown(value)

    return text


def _cell(classes, text, *, tag, url):
    """A function of the row giving its cell: ``<td>``, or ``<th>`` for the row's first link."""
    if url:
        before, after = url

        def inner(obj, html):
            return f'<a href="{before}{obj.pk}{after}">{html}</a>'

    else:

        def inner(obj, html):
            return html

    def cell(obj):
        html, nowrap = text(obj)
        wrap = " nowrap" if nowrap else ""
        return f'<{tag} class="{classes}{wrap}">{inner(obj, html)}</{tag}>'

    return cell


def compiled_rows(cl) -> list[str] | None:
    """Each row of ``cl``'s page as its cells' HTML, as Django's admin renders them; None when
    the page needs Django's own rows (see the module's docstring)."""
    if cl.formset or cl.list_editable or cl.is_popup or cl.list_display_links is None:
        return None
    url = _change_url(cl)
    if url is None:
        return None
    icons = {value: str(_boolean_icon(value)) for value in (True, False, None)}
    checkbox = _checkbox(cl.model_admin)
    cells, first = [], True
    for index, name in enumerate(cl.list_display):
        link = (first and not cl.list_display_links) or name in cl.list_display_links
        text = _text(cl, name, link=link, icons=icons, checkbox=checkbox)
        if text is None:
            return None
        if name == "action_checkbox":
            classes = "action-checkbox"
        elif callable(name):
            label = f"lambda{index}" if name.__name__ == "<lambda>" else name.__name__
            classes = f"field-{label}"
        else:
            classes = f"field-{name}"
        tag = "th" if link and first else "td"
        cells.append(_cell(classes, text, tag=tag, url=url if link else ()))
        first = first and not link
    return ["".join([cell(obj) for cell in cells]) for obj in cl.result_list]
