"""``Exam.bank_size`` follows every change of the bank, whatever writes it (questions/counts.py)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from questions.counts import counts_install
from questions.models import Choice, Exam, Question
from questions.tests.factories import ExamFactory, QuestionFactory, objective_for

pytestmark = pytest.mark.django_db


def sizes(*exams):
    return [Exam.objects.get(pk=exam.pk).bank_size for exam in exams]


def counted(*exams):
    return [Question.objects.filter(exam=exam, is_active=True).count() for exam in exams]


def security_csv(folder, *, prefix: str, rows: int):
    header = "question-id,domain,question-text,option-a,option-b,option-c,option-d,"
    header += "explanation-a,explanation-b,explanation-c,explanation-d,correct answer"
    lines = [header] + [
        f"{prefix}-{n},1.1,Which {n}?,Yes,No,Maybe,Never,,,,,A" for n in range(rows)
    ]
    path = folder / "security.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_bank_size_follows_inserts_retirements_moves_and_deletes():
    one, two = ExamFactory(), ExamFactory()
    questions = [QuestionFactory(exam=one, objective=objective_for(one)) for _ in range(4)]
    QuestionFactory(exam=two, objective=objective_for(two), is_active=False)
    assert sizes(one, two) == [4, 0]

    Question.objects.filter(pk=questions[0].pk).update(is_active=False)
    assert sizes(one, two) == [3, 0]
    Question.objects.filter(exam=one).update(text="Edited, still active?")
    assert sizes(one, two) == [3, 0]
    moved = questions[1]
    moved.exam, moved.objective = two, objective_for(two)
    moved.save()
    assert sizes(one, two) == [2, 1]
    Question.objects.filter(exam=two).update(is_active=True)
    assert sizes(one, two) == [2, 2]
    questions[2].delete()
    assert sizes(one, two) == [1, 2] == counted(one, two)


def test_a_bulk_import_is_counted_once_per_question(tmp_path):
    exam = Exam.objects.get(slug="security")
    before = exam.bank_size
    path = security_csv(tmp_path, prefix="BULK", rows=30)
    call_command("import_questions", str(path), stdout=io.StringIO())
    assert sizes(exam) == [before + 30] == counted(exam)


def test_installing_again_recounts_and_keeps_one_trigger_per_operation():
    exam = ExamFactory()
    QuestionFactory(exam=exam, objective=objective_for(exam))
    Exam.objects.filter(pk=exam.pk).update(bank_size=99)  # drifted (e.g. a restored dump)
    counts_install(connection=connection)
    counts_install(connection=connection)
    QuestionFactory(exam=exam, objective=objective_for(exam))
    assert sizes(exam) == [2]


def test_a_reimport_reads_its_batches_without_joins_or_sorting(tmp_path):
    path = security_csv(tmp_path, prefix="SORT", rows=5)
    call_command("import_questions", str(path), stdout=io.StringIO())
    with CaptureQueriesContext(connection) as context:
        call_command("import_questions", str(path), stdout=io.StringIO())
    if connection.vendor == "postgresql":
        # The rows went to the server by COPY; one statement compares them all with the bank
        # (each question's choices read by index, in letter order), and an unchanged file
        # then writes nothing.
        statements = [q["sql"].strip().upper() for q in context.captured_queries]
        assert len([sql for sql in statements if "QUESTIONS_CHOICE" in sql]) == 1
        assert not [sql for sql in statements if sql.startswith(("INSERT", "UPDATE", "DELETE"))]
        return
    reads = [
        q["sql"].upper()
        for q in context.captured_queries
        if q["sql"].upper().startswith("SELECT")
        and ('FROM "QUESTIONS_CHOICE"' in q["sql"].upper() or "SORT-0" in q["sql"].upper())
    ]
    assert len(reads) == 2  # the batch's questions, then their choices
    assert not [sql for sql in reads if "JOIN" in sql or "ORDER BY" in sql]


@pytest.mark.django_db(transaction=True)
def test_on_sqlite_a_migration_may_rebuild_the_counted_tables():
    """Before ``migrate`` the triggers go (a choice trigger names the questions' table, which
    SQLite will not rebuild while it does); after it they are back and the counts right."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL alters tables in place")
    from django.apps import apps
    from django.db import models

    from questions.apps import _counts_install, _counts_uninstall

    question = QuestionFactory()
    config = apps.get_app_config("questions")
    old = Question._meta.get_field("external_id")
    new = models.CharField(max_length=old.max_length + 1)
    new.set_attributes_from_name("external_id")
    new.model = Question
    _counts_uninstall(sender=config, using="default")  # pre_migrate
    try:
        with connection.schema_editor() as editor:
            editor.alter_field(Question, old, new)  # a rebuild: copy, drop, rename
    finally:
        with connection.schema_editor() as editor:
            editor.alter_field(Question, new, old)
        _counts_install(sender=config, using="default")  # post_migrate

    question.choices.update(is_correct=True)
    assert Question.objects.get(pk=question.pk).correct_count == question.choices.count()


# The current item analysis figures kept on the question --------------------------------------


def kept_figures(*questions):
    return [
        tuple(
            Question.objects.filter(pk=q.pk).values_list(
                "stat_facility", "stat_discrimination", "stat_flagged"
            )[0]
        )
        for q in questions
    ]


def test_the_current_figures_follow_every_write_of_the_item_analysis():
    from questions.models import ItemStat
    from questions.tests.test_report_admin import item_stat

    exam = Exam.objects.get(slug="security")
    one, two = QuestionFactory(exam=exam), QuestionFactory(exam=exam)
    assert kept_figures(one, two) == [(None, None, None)] * 2

    old = item_stat(one, revision_number=0, facility=0.1, is_current=False)
    assert kept_figures(one) == [(None, None, None)]  # not the current row
    current = item_stat(one, facility=0.8, discrimination=-0.2, flags=["likely wrong key"])
    assert kept_figures(one, two) == [(0.8, -0.2, True), (None, None, None)]

    ItemStat.objects.filter(pk=current.pk).update(facility=0.6, flagged=False)
    assert kept_figures(one) == [(0.6, -0.2, False)]
    # The current row moves to the older revision's row, then to the other question.
    ItemStat.objects.filter(pk=current.pk).update(is_current=False)
    ItemStat.objects.filter(pk=old.pk).update(is_current=True)
    assert kept_figures(one) == [(0.1, 0.3, False)]
    ItemStat.objects.filter(pk=old.pk).update(question=two)
    assert kept_figures(one, two) == [(None, None, None), (0.1, 0.3, False)]
    ItemStat.objects.filter(pk=old.pk).delete()
    assert kept_figures(one, two) == [(None, None, None)] * 2


def test_the_current_figures_follow_a_recomputed_item_analysis_and_a_reinstall():
    """``item_stats_store`` replaces an exam's rows in bulk; a reinstall (after ``migrate``)
    recopies every question's figures, e.g. after they were changed by hand."""
    from questions.models import ItemStat
    from questions.services import item_stats_store
    from questions.tests.test_report_admin import item_stat

    exam = Exam.objects.get(slug="security")
    question = QuestionFactory(exam=exam)
    item_stat(question, facility=0.3, discrimination=0.4)
    item_stats_store(exam=exam)  # no answers: no figures at all
    assert not ItemStat.objects.filter(question=question).exists()
    assert kept_figures(question) == [(None, None, None)]
    item_stat(question, facility=0.3, discrimination=0.4)
    Question.objects.filter(pk=question.pk).update(stat_facility=0.99, stat_flagged=True)
    counts_install(connection=connection)
    assert kept_figures(question) == [(0.3, 0.4, False)]


def test_saving_an_edited_question_never_writes_back_what_the_database_keeps():
    from questions.tests.test_report_admin import item_stat

    exam = Exam.objects.get(slug="security")
    question = QuestionFactory(exam=exam)
    read_before = Question.objects.get(pk=question.pk)  # e.g. the admin's form, opened earlier
    item_stat(question, facility=0.7, discrimination=0.2)
    Choice.objects.filter(question=question).update(is_correct=True)
    read_before.text = "Edited after the figures and the key changed?"
    read_before.save()
    question.refresh_from_db()
    assert question.text == "Edited after the figures and the key changed?"
    assert (question.stat_facility, question.stat_discrimination) == (0.7, 0.2)
    assert question.correct_count == Choice.objects.filter(question=question).count()


# The question's exam and id kept on its item analysis rows ----------------------------------


def stat_keys(question):
    from questions.models import ItemStat

    return sorted(
        ItemStat.objects.filter(question=question).values_list("mode", "exam_id", "external_id")
    )


def test_the_figure_rows_follow_their_question_to_another_id_and_exam():
    from questions.tests.test_report_admin import item_stat

    one, two = Exam.objects.get(slug="security"), ExamFactory()
    question = QuestionFactory(exam=one, external_id="KEEP-1")
    other = QuestionFactory(exam=one, external_id="KEEP-2")
    item_stat(question, facility=0.4)
    item_stat(question, mode="simulation", is_current=False)
    item_stat(other)
    assert stat_keys(question) == [("practice", one.pk, "KEEP-1"), ("simulation", one.pk, "KEEP-1")]

    question.external_id = "KEEP-1B"
    question.save()  # the admin's way: every column written
    assert stat_keys(question) == [
        ("practice", one.pk, "KEEP-1B"),
        ("simulation", one.pk, "KEEP-1B"),
    ]
    Question.objects.filter(pk__in=[question.pk, other.pk]).update(exam=two)
    assert stat_keys(question) == [
        ("practice", two.pk, "KEEP-1B"),
        ("simulation", two.pk, "KEEP-1B"),
    ]
    assert stat_keys(other) == [("practice", two.pk, "KEEP-2")]
    # An edit of anything else leaves the rows, and the figures still reach the question.
    Question.objects.filter(pk=question.pk).update(text="Reworded?")
    assert stat_keys(question)[0] == ("practice", two.pk, "KEEP-1B")
    assert kept_figures(question) == [(0.4, 0.3, False)]


def test_a_reinstall_recopies_drifted_keys():
    from questions.models import ItemStat
    from questions.tests.test_report_admin import item_stat

    exam = Exam.objects.get(slug="security")
    question = QuestionFactory(exam=exam, external_id="DRIFT-1")
    item_stat(question)
    ItemStat.objects.filter(question=question).update(external_id="WRONG", exam=ExamFactory())
    counts_install(connection=connection)
    assert stat_keys(question) == [("practice", exam.pk, "DRIFT-1")]
