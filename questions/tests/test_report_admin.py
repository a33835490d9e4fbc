"""The quality queue in the admin: report list and filters, the change page, bulk replies, the
item figures on the question list and the per-exam item analysis page, and who may use them."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from exams import services as exams
from gamification.models import UserBadge
from questions import admin as questions_admin
from questions import services
from questions.models import ItemStat, Question, QuestionReport
from questions.tests.factories import ExamFactory, QuestionFactory
from questions.tests.test_revisions import admin_post

pytestmark = pytest.mark.django_db

REPORTS_URL = reverse("admin:questions_questionreport_changelist")
QUESTIONS_URL = reverse("admin:questions_question_changelist")
REPORT_LIST_BUDGET = 8
ITEM_ANALYSIS_BUDGET = 6


@pytest.fixture
def editor(db):
    editor = UserFactory(is_staff=True, password=None)
    editor.groups.add(Group.objects.get(name="Staff editor"))
    return editor


@pytest.fixture
def security():
    return ExamFactory(slug="security")


@pytest.fixture
def network():
    return ExamFactory(slug="network")


def report(question, *, reason="wrong_key", user=None, comment=""):
    return services.report_submit(
        user=user or UserFactory(), question_id=question.pk, reason=reason, comment=comment
    )


def listed(client, query=""):
    response = client.get(REPORTS_URL + query)
    assert response.status_code == 200
    return response, {row.pk for row in response.context["cl"].result_list}


def item_stat(question, **fields):
    values = {
        "revision_number": question.revision_number,
        "mode": ItemStat.Mode.PRACTICE,
        "responses": 120,
        "facility": 0.5,
        "discrimination": 0.3,
        "median_seconds": 41.0,
        "option_shares": {"A": 0.5, "B": 0.3, "C": 0.1, "D": 0.1},
        "flags": [],
        "is_current": True,
        "computed_at": timezone.now(),
    }
    values |= fields
    values["flagged"] = bool(values["flags"])
    return ItemStat.objects.create(question=question, **values)


# The queue ----------------------------------------------------------------------------------


@pytest.fixture
def queue(security, network):
    """Three learners report ``crowded`` (security), one ``typo`` (security, wording, then
    rejected), two ``pair`` (network, two right answers)."""
    crowded, typo = QuestionFactory.create_batch(2, exam=security)
    pair = QuestionFactory(exam=network)
    reports = {
        "crowded": [report(crowded) for _ in range(3)],
        "typo": [report(typo, reason="wording")],
        "pair": [report(pair, reason="two_answers") for _ in range(2)],
    }
    staff = UserFactory(is_staff=True)
    services.report_resolve(
        report_id=reports["typo"][0].pk, staff=staff, status="rejected", reply="Reads fine."
    )
    return {name: {r.pk for r in rows} for name, rows in reports.items()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ("crowded", "typo", "pair")),
        ("?status__exact=open", ("crowded", "pair")),
        ("?status__exact=rejected", ("typo",)),
        ("?question__exam__id__exact={security}", ("crowded", "typo")),
        ("?question__exam__id__exact={network}", ("pair",)),
        ("?reason__exact=two_answers", ("pair",)),
        ("?reason__exact=wording", ("typo",)),
        ("?reports=1", ("typo",)),
        ("?reports=2", ("pair",)),
        ("?reports=3", ("crowded",)),
        ("?status__exact=open&reports=3", ("crowded",)),
    ],
)
def test_the_report_list_filters(admin_client, queue, security, network, query, expected):
    _, shown = listed(admin_client, query.format(security=security.pk, network=network.pk))

    assert shown == set().union(*(queue[name] for name in expected))


def test_the_report_list_shows_the_count_per_question_and_keeps_its_budget(
    admin_client, security, django_assert_max_num_queries
):
    question = QuestionFactory(exam=security)
    for _ in range(2):
        report(question)
    with django_assert_max_num_queries(REPORT_LIST_BUDGET):
        listed(admin_client)
    for other in QuestionFactory.create_batch(12, exam=security):
        for _ in range(3):
            report(other)

    with django_assert_max_num_queries(REPORT_LIST_BUDGET):
        many, shown = listed(admin_client)

    assert len(shown) == 38
    counts = {row.question_id: row.question_reports for row in many.context["cl"].result_list}
    assert counts[question.pk] == 2 and set(counts.values()) == {2, 3}
    assert "Add question report" not in many.content.decode()  # only learners make reports


def test_the_change_page_shows_the_question_now_what_the_learner_saw_and_its_figures(
    admin_client, security
):
    question = QuestionFactory(exam=security, text="Which port does SSH use?")
    learner = UserFactory()
    attempt = exams.attempt_start(user=learner, exam=security, mode="practice", count=1)
    item = attempt.items.get()
    letters = dict(question.choices.values_list("letter", "pk"))
    exams.answer_submit(attempt_id=attempt.pk, user=learner, position=1, choice_ids=[letters["B"]])
    filed = services.report_submit(
        user=learner, question_id=question.pk, reason="wrong_key", item_id=item.pk
    )
    data = admin_post(question)  # staff reword the stem: revision 2
    data["text"] = "Which TCP port does SSH listen on?"
    edit = reverse("admin:questions_question_change", args=[question.pk])
    assert admin_client.post(edit, data).status_code == 302
    question.refresh_from_db()
    item_stat(question, facility=0.37, flags=["negative discrimination -0.12"])

    html = admin_client.get(
        reverse("admin:questions_questionreport_change", args=[filed.pk])
    ).content.decode()

    assert "Which TCP port does SSH listen on?" in html  # the question now
    assert "revision 2 now" in html
    assert "What the learner saw (revision 1, since edited)" in html
    assert "Which port does SSH use?" in html
    seen = html[html.index("report-seen-choices") :]
    assert "B. Option B <strong>(their answer)</strong>" in seen
    assert "A. Option A <strong>(key then)</strong>" in seen
    assert "0.37" in html and "negative discrimination -0.12" in html  # its figures
    assert f'href="{edit}"' in html


# Acting on reports --------------------------------------------------------------------------


def action(client, name, reports, reply=None):
    data = {"action": name, "_selected_action": [r.pk for r in reports]}
    if reply is not None:
        data |= {"apply": "1", "reply": reply}
    return client.post(REPORTS_URL, data)


def test_a_bulk_action_asks_for_a_reply_first_and_refuses_a_blank_one(admin_client, security):
    question = QuestionFactory(exam=security)
    reports = [report(question) for _ in range(2)]

    asked = action(admin_client, "fix", reports)
    blank = action(admin_client, "fix", reports, reply="   ")
    too_long = action(admin_client, "reject", reports, reply="x" * 2001)

    assert asked.status_code == 200
    page = asked.content.decode()
    assert "Fixed these reports" in page and 'name="reply"' in page
    assert page.count('name="_selected_action"') == 2
    assert blank.status_code == too_long.status_code == 200
    assert "This field is required." in blank.content.decode()
    assert "at most 2000 characters" in too_long.content.decode()
    assert set(QuestionReport.objects.values_list("status", flat=True)) == {"open"}


@pytest.mark.parametrize(
    ("name", "status", "badge"),
    [("accept", "accepted", True), ("fix", "fixed", True), ("reject", "rejected", False)],
)
def test_a_bulk_action_with_a_reply_resolves_notifies_and_awards(
    admin_client, security, django_capture_on_commit_callbacks, name, status, badge
):
    question = QuestionFactory(exam=security)
    reports = [report(question) for _ in range(3)]
    emailed = reports[0].user.profile
    emailed.email_report_replies = True
    emailed.save()
    untouched = report(QuestionFactory(exam=security))
    question.refresh_from_db()
    assert question.needs_review

    with django_capture_on_commit_callbacks(execute=True):
        response = action(admin_client, name, reports, reply="Thank you, see revision 2.")

    assert response.status_code == 302
    for filed in reports:
        filed.refresh_from_db()
        assert (filed.status, filed.staff_reply) == (status, "Thank you, see revision 2.")
        assert filed.handled_by.is_superuser
        filed.user.profile.refresh_from_db()
        assert filed.user.profile.report_replies_unseen == 1
        assert UserBadge.objects.filter(user=filed.user, badge__slug="bug-hunter").exists() is badge
    untouched.refresh_from_db()
    assert untouched.status == "open"
    assert [message.to for message in mail.outbox] == [[reports[0].user.email]]
    question.refresh_from_db()
    assert question.needs_review is (status == "accepted")  # fixed or rejected: reviewed
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [f"{status.capitalize()} 3 report(s); the learners are told."]


def test_changing_the_status_on_the_change_page_goes_through_the_service(admin_client, security):
    filed = report(QuestionFactory(exam=security))
    url = reverse("admin:questions_questionreport_change", args=[filed.pk])

    response = admin_client.post(url, {"status": "fixed", "staff_reply": "Key corrected."})

    assert response.status_code == 302
    filed.refresh_from_db()
    assert (filed.status, filed.staff_reply) == ("fixed", "Key corrected.")
    assert filed.handled_at is not None
    filed.user.profile.refresh_from_db()
    assert filed.user.profile.report_replies_unseen == 1
    assert UserBadge.objects.filter(user=filed.user, badge__slug="bug-hunter").exists()


def test_the_change_page_cannot_reopen_a_report(admin_client, security):
    filed = report(QuestionFactory(exam=security))
    url = reverse("admin:questions_questionreport_change", args=[filed.pk])

    response = admin_client.post(url, {"status": "open", "staff_reply": "Hm."}, follow=True)

    assert "resolved as accepted, fixed or rejected" in response.content.decode()
    filed.refresh_from_db()
    assert (filed.status, filed.staff_reply) == ("open", "")


# Item figures on the question list ----------------------------------------------------------


@pytest.fixture
def figures(security):
    """Questions with figures: hard, easy, a wrong key (negative), near zero, and none."""
    questions = {
        name: QuestionFactory(exam=security, external_id=name)
        for name in ("HARD", "EASY", "BADKEY", "FLAT", "SOUND", "NEW")
    }
    item_stat(questions["HARD"], facility=0.12, discrimination=0.25, flags=["hard"])
    item_stat(questions["EASY"], facility=0.98, discrimination=0.02, flags=["easy"])
    item_stat(questions["BADKEY"], facility=0.4, discrimination=-0.3, flags=["likely wrong key"])
    item_stat(questions["FLAT"], facility=0.6, discrimination=0.05, flags=["near zero"])
    item_stat(questions["SOUND"], facility=0.7, discrimination=0.45)
    # an older revision's row is not the one the list shows
    item_stat(questions["SOUND"], revision_number=0, facility=0.01, flags=["x"], is_current=False)
    return questions


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("facility=hard", {"HARD"}),
        ("facility=easy", {"EASY"}),
        ("facility=middle", {"BADKEY", "FLAT", "SOUND"}),
        ("discrimination=negative", {"BADKEY"}),
        ("discrimination=weak", {"EASY", "FLAT"}),
        ("discrimination=good", {"HARD", "SOUND"}),
        ("item_analysis=flagged", {"HARD", "EASY", "BADKEY", "FLAT"}),
        ("item_analysis=sound", {"SOUND"}),
        ("item_analysis=none", {"NEW"}),
        ("item_analysis=flagged&discrimination=negative", {"BADKEY"}),
    ],
)
def test_the_question_list_filters_by_the_figures(admin_client, figures, query, expected):
    response = admin_client.get(f"{QUESTIONS_URL}?{query}")

    assert response.status_code == 200
    assert {q.external_id for q in response.context["cl"].result_list} == expected


def test_the_question_list_shows_and_sorts_by_the_figures(admin_client, figures):
    columns = admin_client.get(QUESTIONS_URL).content.decode()
    assert "0.12" in columns and "-0.30" in columns

    # list_display: ..., facility is column 8, discrimination 9 (1-based, after the checkbox)
    by_facility = admin_client.get(f"{QUESTIONS_URL}?o=8").context["cl"].result_list
    by_discrimination = admin_client.get(f"{QUESTIONS_URL}?o=-9").context["cl"].result_list

    analysed = [q.external_id for q in by_facility if q.stat_facility is not None]
    assert analysed == ["HARD", "BADKEY", "FLAT", "SOUND", "EASY"]
    ranked = [q.external_id for q in by_discrimination if q.stat_discrimination is not None]
    assert ranked == ["SOUND", "HARD", "FLAT", "EASY", "BADKEY"]


@pytest.mark.parametrize("query", ["", "?q=HARD", "?facility=hard", "?o=-9", "?o=8.-9"])
def test_the_question_list_reads_the_figures_kept_on_the_question(admin_client, figures, query):
    """Filtering and sorting by the figures reads the question's own columns: no join with
    the item analysis rows, whose count grows with the bank (questions/counts.py)."""
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(f"{QUESTIONS_URL}{query}")

    assert response.status_code == 200
    assert "0.12" in response.content.decode() or query == "?q=HARD"
    assert not [q["sql"] for q in captured if "questions_itemstat" in q["sql"]]


def test_the_question_list_keeps_its_budget_with_the_figure_filters(
    admin_client, security, django_assert_max_num_queries
):
    from questions.tests.test_admin import LIST_QUERY_BUDGET

    query = f"{QUESTIONS_URL}?facility=middle&discrimination=good&item_analysis=sound&o=-8"
    for question in QuestionFactory.create_batch(3, exam=security):
        item_stat(question)
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        few = admin_client.get(query)
    for question in QuestionFactory.create_batch(60, exam=security):
        item_stat(question)

    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        many = admin_client.get(query)

    assert len(few.context["cl"].result_list) == 3
    assert len(many.context["cl"].result_list) == 50


def test_the_question_page_shows_its_figures_and_reports(admin_client, figures):
    question = figures["BADKEY"]
    report(question)

    html = admin_client.get(
        reverse("admin:questions_question_change", args=[question.pk])
    ).content.decode()

    assert "-0.30" in html and "likely wrong key" in html
    assert "A 50%, B 30%" in html
    assert "Reports: open 1." in html


# The per-exam item analysis page ------------------------------------------------------------


def item_analysis_url(exam):
    return reverse("admin:questions_exam_item_analysis", args=[exam.pk])


def test_the_item_analysis_page_lists_flagged_revisions_first(admin_client, figures, security):
    response = admin_client.get(item_analysis_url(security))

    assert response.status_code == 200
    html = response.content.decode()
    order = [html.index(f">{name}</a>") for name in ("BADKEY", "EASY", "FLAT", "HARD", "SOUND")]
    assert order == sorted(order)  # flagged first, then by question id
    assert "likely wrong key" in html and "41 s" in html
    assert f"manage.py item_analysis --exam {security.slug}" in html
    edit = reverse("admin:questions_question_change", args=[figures["HARD"].pk])
    assert f'href="{edit}"' in html


def test_the_item_analysis_page_has_a_fixed_query_budget(
    admin_client, security, django_assert_max_num_queries
):
    for question in QuestionFactory.create_batch(2, exam=security):
        item_stat(question)
    with django_assert_max_num_queries(ITEM_ANALYSIS_BUDGET):
        assert admin_client.get(item_analysis_url(security)).status_code == 200
    for question in QuestionFactory.create_batch(40, exam=security):
        item_stat(question, flags=["hard"])
        item_stat(question, mode="simulation", is_current=False)

    with django_assert_max_num_queries(ITEM_ANALYSIS_BUDGET):
        response = admin_client.get(item_analysis_url(security))

    assert len(response.context["stats"]) == 82


def test_the_item_analysis_page_shows_a_page_of_rows_at_a_time(
    admin_client, security, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr(questions_admin, "ITEM_ANALYSIS_PER_PAGE", 3)
    questions = QuestionFactory.create_batch(5, exam=security)
    for question in questions:
        item_stat(question, flags=["hard"] if question is questions[4] else [])
    shown = []
    for number in (1, 2):
        with django_assert_max_num_queries(ITEM_ANALYSIS_BUDGET):
            response = admin_client.get(item_analysis_url(security), {"page": number})
        shown.append([stat.external_id for stat in response.context["stats"]])
    html = response.content.decode()

    others = sorted(q.external_id for q in questions[:4])
    assert shown == [[questions[4].external_id, *others[:2]], others[2:]]
    assert "Rows 4–5 of 5 (page 2 of 2)" in html and 'rel="prev"' in html
    assert 'rel="next"' not in html
    beyond = admin_client.get(item_analysis_url(security), {"page": "99"})
    assert beyond.context["page"].number == 2  # out of range: the last page
    assert admin_client.get(item_analysis_url(security), {"page": "x"}).status_code == 200


def test_the_item_analysis_page_follows_a_renamed_question_without_reading_the_bank(
    admin_client, figures, security
):
    """Filter, order and count come from the figure rows' own index: no query reads the
    question table, and a question renamed since the run is listed under its new id."""
    Question.objects.filter(pk=figures["EASY"].pk).update(external_id="AAA-EASY")

    with CaptureQueriesContext(connection) as context:
        response = admin_client.get(item_analysis_url(security))

    html = response.content.decode()
    names = ("AAA-EASY", "BADKEY", "FLAT", "HARD", "SOUND")
    order = [html.index(f">{name}</a>") for name in names]
    assert order == sorted(order)  # flagged first, the renamed question by its new id
    assert not [q["sql"] for q in context.captured_queries if "questions_question" in q["sql"]]


def test_the_item_analysis_page_of_a_missing_exam_is_a_404(admin_client):
    assert (
        admin_client.get(reverse("admin:questions_exam_item_analysis", args=[99999])).status_code
        == 404
    )


# Who may use the queue ----------------------------------------------------------------------


def test_the_staff_editor_group_works_the_queue(client, editor, security):
    question = QuestionFactory(exam=security)
    item_stat(question, flags=["hard"])
    filed = report(question)
    client.force_login(editor)

    assert client.get(REPORTS_URL).status_code == 200
    change = reverse("admin:questions_questionreport_change", args=[filed.pk])
    assert client.get(change).status_code == 200
    assert client.get(item_analysis_url(security)).status_code == 200
    response = action(client, "fix", [filed], reply="Fixed by an editor.")

    assert response.status_code == 302
    filed.refresh_from_db()
    assert (filed.status, filed.handled_by) == ("fixed", editor)
    delete = reverse("admin:questions_questionreport_delete", args=[filed.pk])
    assert client.get(delete).status_code == 403  # a report is the learner's record
    index = client.get(reverse("admin:index")).content.decode()
    assert "Question reports" in index


def test_staff_outside_the_group_see_neither_the_queue_nor_the_figures(client, security):
    question = QuestionFactory(exam=security)
    filed = report(question)
    client.force_login(UserFactory(is_staff=True, password=None))

    assert client.get(REPORTS_URL).status_code == 403
    assert action(client, "reject", [filed], reply="No.").status_code == 403
    assert client.get(item_analysis_url(security)).status_code == 403
    filed.refresh_from_db()
    assert filed.status == "open"
    assert not Question.objects.filter(needs_review=True).exists()
