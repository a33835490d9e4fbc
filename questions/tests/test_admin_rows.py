"""The admin list's rows made once per column (questions.admin_rows) are Django's rows, character
for character, on every kind of page; where they cannot be, Django makes them."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import items_for_result
from django.core.exceptions import ObjectDoesNotExist
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.text import Truncator

from accounts.tests.factories import UserFactory
from questions.admin import PREVIEW_CHARS, QuestionAdmin, text_preview
from questions.admin_rows import compiled_rows
from questions.models import Question
from questions.tests.factories import ExamFactory, QuestionFactory, objective_for, pbq_create

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:questions_question_changelist")


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True, password=None)


@pytest.fixture
def bank():
    """Questions that exercise every column: odd characters to escape, long and non-ASCII
    texts, retired and flagged ones, figures and none, choose two, no right answer, PBQs."""
    security = ExamFactory(slug="security")
    network = ExamFactory(slug="network")
    objective = objective_for(security, "2.3")
    questions = [
        QuestionFactory(objective=objective, external_id='S-<1>&"', text="Short & <b>bold</b>?"),
        QuestionFactory(objective=objective, text="A" * PREVIEW_CHARS),
        QuestionFactory(objective=objective, text="B" * (PREVIEW_CHARS + 1)),
        QuestionFactory(objective=objective, text="Café résumé naïve " * 8, correct=("A", "C")),
        QuestionFactory(exam=network, text="Which port? " * 12, is_active=False),
        QuestionFactory(exam=network, needs_review=True, difficulty=3),
        pbq_create(exam=security, kind="order"),
        pbq_create(exam=network, kind="match"),
    ]
    broken = QuestionFactory(objective=objective)
    broken.choices.update(is_correct=False)
    Question.objects.filter(pk=questions[0].pk).update(
        stat_facility=0.123456, stat_discrimination=-0.25, stat_flagged=True
    )
    # An import stamps its questions with one time; one was edited later.
    imported = timezone.now() - datetime.timedelta(days=400)
    Question.objects.update(updated_at=imported, created_at=imported)
    Question.objects.filter(pk=questions[1].pk).update(updated_at=timezone.now())
    return security, network, objective


def changelist(model_admin, staff, query=""):
    request = RequestFactory().get(LIST_URL + query)
    request.user = staff
    request.resolver_match = resolve(LIST_URL)  # the list's filters are kept in its links
    return model_admin.get_changelist_instance(request)


def djangos_rows(cl):
    return [
        "".join(str(cell) for cell in items_for_result(cl, obj, None)) for obj in cl.result_list
    ]


def question_admin():
    return admin.site._registry[Question]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?is_active__exact=0",
        "?is_active__exact=1&needs_review__exact=0",
        "?q=which",
        "?q=S-%3C1",
        "?o=-4.2",
        "?o=9",
        "?correct=2",
        "?correct=0",
        "?item_analysis=flagged",
        "?difficulty__exact=3",
        "?q=caf%C3%A9&o=3",
    ],
)
def test_the_question_list_rows_are_djangos(staff, bank, query):
    cl = changelist(question_admin(), staff, query)
    assert len(cl.result_list) >= 1
    assert compiled_rows(cl) == djangos_rows(cl)


def test_a_filtered_list_keeps_its_filters_in_every_rows_links(staff, bank):
    security, _network, objective = bank
    cl = changelist(
        question_admin(), staff, f"?exam__id__exact={security.pk}&objective={objective.pk}"
    )
    rows = compiled_rows(cl)
    assert rows == djangos_rows(cl)
    assert all("_changelist_filters=exam__id__exact" in row for row in rows)


def test_the_list_page_shows_the_compiled_rows(client, staff, bank):
    client.force_login(staff)
    response = client.get(LIST_URL + "?is_active__exact=1")
    cl = changelist(question_admin(), staff, "?is_active__exact=1")
    page = response.content.decode()
    for row in djangos_rows(cl):
        assert f"<tr>{row}</tr>" in page


def test_a_page_in_another_language_is_djangos(staff, bank, settings):
    from django.utils import translation

    with translation.override("fr"):
        cl = changelist(question_admin(), staff)
        assert compiled_rows(cl) == djangos_rows(cl)


class Columns(QuestionAdmin):
    """Every kind of column the compiled rows make themselves."""

    list_display = (
        "id",
        "exam",
        "kind",
        "difficulty",
        "created_at",
        "stat_facility",
        "stat_flagged",
        "needs_review",
        "is_live",
        "missing",
        "when",
        "maybe",
        lambda obj: f"<{obj.external_id}>",
        Question.__str__,
    )
    list_display_links = None
    empty_value_display = "(none)"

    @admin.display(boolean=True, description="live")
    def is_live(self, obj):
        return obj.is_active and not obj.needs_review

    @admin.display(empty_value="(gone)")
    def missing(self, obj):
        raise ObjectDoesNotExist

    def when(self, obj):
        return obj.updated_at.date()

    @admin.display(boolean=True)
    def maybe(self, obj):
        return None if obj.difficulty is None else obj.difficulty > 2


@pytest.mark.parametrize("links", [(), ("exam", "kind"), ("id",)])
def test_every_kind_of_column_is_djangos(staff, bank, links):
    model_admin = Columns(Question, admin.site)
    model_admin.list_display_links = links
    cl = changelist(model_admin, staff, "?o=1")
    assert compiled_rows(cl) == djangos_rows(cl)


def test_a_changed_checkbox_is_called_for_each_row(staff, bank):
    class OwnCheckbox(QuestionAdmin):
        def action_checkbox(self, obj):
            return f"<box {obj.pk}>"

    cl = changelist(OwnCheckbox(Question, admin.site), staff)
    rows = compiled_rows(cl)
    assert rows == djangos_rows(cl)
    assert "&lt;box" in rows[0]


class Property(QuestionAdmin):
    list_display = ("external_id", "domain__number")


class Editable(QuestionAdmin):
    list_display = ("external_id", "is_active")
    list_editable = ("is_active",)


@pytest.mark.parametrize(
    ("model_admin", "query"),
    [
        (Property, ""),
        (Editable, ""),
        (QuestionAdmin, "?_popup=1"),
    ],
)
def test_what_the_compiled_rows_do_not_know_is_left_to_django(staff, bank, model_admin, query):
    cl = changelist(model_admin(Question, admin.site), staff, query)
    assert compiled_rows(cl) is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Short?",
        "x" * (PREVIEW_CHARS - 1),
        "x" * PREVIEW_CHARS,
        "x" * (PREVIEW_CHARS + 1),
        "Which protocol " * 20,
        "Caf\u00e9 " * 30,
        "Cafe\u0301 " * 30,  # combining accents do not count as characters
        "e\u0301" * PREVIEW_CHARS,
    ],
)
def test_the_text_preview_is_truncators(text):
    assert text_preview(text) == Truncator(text).chars(PREVIEW_CHARS)
