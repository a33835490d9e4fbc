"""import_questions and export_questions, through the management commands."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from questions.models import Choice, Exam, Objective, Question
from questions.services import questions_import
from questions.tests.csvs import HEADER, csv_text, row, write_csv

pytestmark = pytest.mark.django_db


def run(*args, **options):
    """Run import_questions; return (stdout, stderr). Raises CommandError on problems."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_questions", *map(str, args), stdout=out, stderr=err, **options)
    except CommandError as error:
        error.stderr = err.getvalue()
        raise
    return out.getvalue(), err.getvalue()


def run_failing(*args, **options):
    """Run import_questions expecting problems; return the problem lines."""
    with pytest.raises(CommandError, match="nothing was imported") as caught:
        run(*args, **options)
    return caught.value.stderr.splitlines()


def export(slug, *args):
    out = io.StringIO()
    call_command("export_questions", "--exam", slug, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def correct_letters(question):
    return "".join(question.choices.filter(is_correct=True).values_list("letter", flat=True))


def snapshot():
    """Everything the import can change, with ids."""
    return (
        list(Question.objects.order_by("pk").values_list()),
        list(Choice.objects.order_by("pk").values_list()),
        list(Objective.objects.order_by("pk").values_list()),
    )


# --- Reading real-world files ----------------------------------------------------------------


def test_imports_a_file_and_prints_a_summary(tmp_path):
    path = write_csv(tmp_path / "security.csv", [row("S-1"), row("S-2", answer="B")])

    out, _ = run(path)

    assert out.strip() == f"{path} -> security: 2 created, 0 updated, 0 unchanged"
    question = Question.objects.get(exam__slug="security", external_id="S-1")
    assert question.objective.code == "1.1"
    assert question.domain == question.objective.domain
    assert question.is_active
    assert list(question.choices.values_list("letter", "text", "is_correct")) == [
        ("A", "Corrective", True),
        ("B", "Preventive", False),
        ("C", "Deterrent", False),
        ("D", "Directive", False),
    ]
    assert question.choices.get(letter="B").explanation == "Wrong: before."


def test_reads_bom_crlf_quoted_newlines_commas_blank_rows_and_whitespace(tmp_path):
    header = "  Question-ID ,DOMAIN,Question-Text,Option-A,option-b,OPTION-C,option-d," + (
        "explanation-a,explanation-b,explanation-c,explanation-d, Correct Answer "
    )
    lines = [
        header,
        ' S-1 , 1.1 ,"First line,\r\nsecond line", yes ,no,,,"Because, really",,,, a ',
        "",
        ",,,,,,,,,,,",
        "   ",
        'S-2,2.3,"Quoted ""word"" here",one,two,three,,,,,,"c"',
        "",
    ]
    path = tmp_path / "security.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode())

    out, _ = run(path)

    assert "2 created" in out
    first = Question.objects.get(external_id="S-1")
    assert first.text == "First line,\nsecond line"
    assert first.objective.code == "1.1"
    assert list(first.choices.values_list("letter", "text", "explanation", "is_correct")) == [
        ("A", "yes", "Because, really", True),
        ("B", "no", "", False),
    ]
    second = Question.objects.get(external_id="S-2")
    assert second.text == 'Quoted "word" here'
    assert correct_letters(second) == "C"


@pytest.mark.parametrize("answer", ["A,C", "AC", "a,c", " c a ", "A, C", "A;C", "a c"])
def test_accepts_several_correct_letters_in_any_spelling(tmp_path, answer):
    run(write_csv(tmp_path / "security.csv", [row(answer=answer)]))

    assert correct_letters(Question.objects.get()) == "AC"


def test_reads_option_e_and_f_with_explanations(tmp_path):
    header = [*HEADER[:-1], "option-e", "explanation-e", "Option-F", "explanation-f", HEADER[-1]]
    rows = [
        [*row("S-1", answer="E,F")[:-1], "five", "why five", "six", "why six", "E,F"],
        [*row("S-2", answer="B")[:-1], "", "", "", "", "B"],
    ]
    run(write_csv(tmp_path / "security.csv", rows, header=header))

    first = Question.objects.get(external_id="S-1")
    assert list(first.choices.values_list("letter", "explanation", "is_correct"))[4:] == [
        ("E", "why five", True),
        ("F", "why six", True),
    ]
    assert Question.objects.get(external_id="S-2").choices.count() == 4


def test_a_question_may_have_two_or_three_options(tmp_path):
    rows = [
        row("S-1", options=("True", "False"), explanations=("yes", "no")),
        row("S-2", options=("x", "y", "z"), explanations=()),
    ]
    run(write_csv(tmp_path / "security.csv", rows))

    assert Question.objects.get(external_id="S-1").choices.count() == 2
    assert Question.objects.get(external_id="S-2").choices.count() == 3


def test_objective_codes_are_labels_so_1_10_is_not_1_1(tmp_path):
    rows = [row("C2-1", domain="1.1"), row("C2-2", domain="1.10"), row("C2-3", domain="1.12")]
    out, _ = run(write_csv(tmp_path / "a1102.csv", rows))

    codes = dict(Question.objects.values_list("external_id", "objective__code"))
    assert codes == {"C2-1": "1.1", "C2-2": "1.10", "C2-3": "1.12"}
    assert Question.objects.get(external_id="C2-1").objective.title == "Windows editions"
    assert Question.objects.get(external_id="C2-2").objective.title == "macOS features and tools"
    created = Objective.objects.get(domain__exam__slug="a1102", code="1.12")
    assert created.domain.number == 1
    assert created.sort_minor == 12
    assert "new objectives created: 1.12" in out


def test_creates_objectives_under_existing_domains_of_v15_exams(tmp_path):
    rows = [row("V-1", domain="2.1"), row("V-2", domain="2.10"), row("V-3", domain="2.1")]
    run(write_csv(tmp_path / "a1201.csv", rows))

    objectives = Objective.objects.filter(domain__exam__slug="a1201")
    # 2.1 is seeded with its title (one row, reused); 2.10 is not a V15 objective: created.
    assert objectives.filter(code="2.1").count() == 1 and objectives.get(code="2.1").title
    assert objectives.filter(code="2.10").count() == 1
    assert objectives.count() == 28
    assert {q.domain.number for q in Question.objects.all()} == {2}


# --- Choosing files and exams -----------------------------------------------------------------


def test_a_folder_imports_every_csv_in_it(tmp_path):
    write_csv(tmp_path / "security.csv", [row("S-1")])
    write_csv(tmp_path / "network.csv", [row("N-1"), row("N-2")])
    (tmp_path / "notes.txt").write_text("not a bank")

    out, _ = run(tmp_path)

    assert out.splitlines() == [
        f"{tmp_path / 'network.csv'} -> network: 2 created, 0 updated, 0 unchanged",
        f"{tmp_path / 'security.csv'} -> security: 1 created, 0 updated, 0 unchanged",
    ]
    assert set(Question.objects.values_list("exam__slug", "external_id")) == {
        ("security", "S-1"),
        ("network", "N-1"),
        ("network", "N-2"),
    }


def test_exam_option_overrides_the_file_name(tmp_path):
    path = write_csv(tmp_path / "my export (2).csv", [row("N-1")])

    run(path, exam="network")

    assert Question.objects.get().exam.slug == "network"


def test_unknown_exam_names_the_file(tmp_path):
    good = write_csv(tmp_path / "security.csv", [row("S-1")])
    bad = write_csv(tmp_path / "securityplus.csv", [row("S-2")])

    problems = run_failing(good, bad)

    assert len(problems) == 1
    assert problems[0].startswith(f"{bad}:1: unknown exam 'securityplus' (from the file name)")
    assert "security" in problems[0]
    assert not Question.objects.exists()


def test_unknown_exam_option_is_an_error(tmp_path):
    problems = run_failing(write_csv(tmp_path / "x.csv", [row()]), exam="nope")

    assert problems == [
        "unknown exam 'nope'; known exams: a1101, a1102, a1201, a1202, network, security"
    ]


def test_missing_path_and_empty_folder_are_errors(tmp_path):
    (tmp_path / "empty").mkdir()

    problems = run_failing(tmp_path / "missing.csv", tmp_path / "empty")

    assert problems == [
        f"{tmp_path / 'missing.csv'}: no such file or folder",
        f"{tmp_path / 'empty'}: the folder holds no .csv file",
    ]


# --- Validation: every problem, at once, with file and line, nothing written ------------------


def test_missing_and_unknown_columns_are_named(tmp_path):
    header = [name for name in HEADER if name not in {"explanation-c", "correct answer"}]
    header.append("dificulty")
    path = write_csv(tmp_path / "security.csv", [row()[: len(header)]], header=header)

    problems = run_failing(path)

    assert problems[0].startswith(f"{path}:1: header: unknown column 'dificulty'")
    assert problems[1] == f"{path}:1: header: missing column(s) explanation-c, correct answer"


def test_an_empty_file_is_an_error(tmp_path):
    path = tmp_path / "security.csv"
    path.write_bytes(b"")

    assert run_failing(path) == [f"{path}:1: the file is empty; expected a header row"]


def test_a_file_that_is_not_utf8_is_an_error(tmp_path):
    path = tmp_path / "security.csv"
    path.write_bytes(csv_text([row("S-1"), row("S-2", text="Caf\xe9?")]).encode("cp1252"))

    problems = run_failing(path)

    assert len(problems) == 1
    assert "is not UTF-8 text" in problems[0]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"external_id": ""}, "question-id: is empty"),
        ({"external_id": "x" * 65}, "question-id: longer than 64 characters"),
        ({"text": "   "}, "question-text: is empty"),
        ({"domain": ""}, "domain: is empty; expected an objective code such as 2.3"),
        ({"domain": "1"}, "domain: '1' is not an objective code such as 2.3"),
        ({"domain": "1."}, "domain: '1.' is not an objective code such as 2.3"),
        ({"domain": "x.2"}, "domain: 'x.2' is not an objective code such as 2.3"),
        ({"domain": "1.0"}, "domain: '1.0' is not an objective code such as 2.3"),
        ({"domain": "01.2"}, "domain: '01.2' is not an objective code such as 2.3"),
        ({"domain": "1.2.3"}, "domain: '1.2.3' is not an objective code such as 2.3"),
        ({"domain": "7.1"}, "domain: exam security has no domain 7 (objective 7.1);"),
        ({"options": ("only",)}, "option-b: is empty; a question needs at least two choices"),
        ({"options": ()}, "option-a: is empty; a question needs at least two choices"),
        (
            {"options": ("a", "", "c", "d"), "explanations": ()},
            "option-b: is empty but choice C is filled; fill the choices from A without gaps",
        ),
        (
            {"text": "Which two? (Choose TWO.)", "answer": "A,B,C"},
            "question-text: says 'Choose TWO' but the key has 3 correct answer(s) (A, B, C); "
            "make the text and the key agree",
        ),
        (
            {"text": "Which two? (choose two)", "answer": "A"},
            "question-text: says 'Choose TWO' but the key has 1 correct answer(s) (A)",
        ),
        ({"options": ("a", "b"), "answer": "C"}, "correct answer: C has no option"),
        ({"answer": ""}, "correct answer: is empty; expected letters such as B or A,C"),
        ({"answer": "K"}, "correct answer: 'K' is not a letter A-J"),
        ({"answer": "E"}, "correct answer: E has no option (option-e is empty)"),
        (
            {"options": ("a", "b"), "explanations": ("", "", "why c")},
            "explanation-c: has text but option-c is empty",
        ),
    ],
)
def test_each_broken_row_is_reported_with_its_column(tmp_path, fields, message):
    path = write_csv(
        tmp_path / "security.csv", [row("OK-1"), row(**{"external_id": "BAD-1", **fields})]
    )

    problems = run_failing(path)

    assert any(problem.startswith(f"{path}:3: {message}") for problem in problems), problems
    assert not Question.objects.exists()


def test_a_multi_answer_stem_that_says_its_count_or_not_is_imported(tmp_path):
    path = write_csv(
        tmp_path / "security.csv",
        [row("S-1", text="Which two? (Choose TWO.)", answer="A,C"), row("S-2", answer="B,D")],
    )

    questions_import(paths=[path])

    assert Question.objects.count() == 2


def test_a_row_with_too_many_fields_is_an_error(tmp_path):
    path = write_csv(tmp_path / "security.csv", [row("S-1"), [*row("S-2"), "extra"]])

    assert run_failing(path) == [
        f"{path}:3: the row has 13 fields but the header has 12 (a comma in an unquoted field?)"
    ]


def test_a_repeated_question_id_is_an_error_with_both_lines(tmp_path):
    path = write_csv(tmp_path / "security.csv", [row("S-1"), row("S-2"), row("S-1")])

    assert run_failing(path) == [f"{path}:4: question-id: 'S-1' is already used on line 2"]


def test_a_question_id_in_two_files_of_one_exam_is_an_error(tmp_path):
    first = write_csv(tmp_path / "one.csv", [row("S-1")])
    second = write_csv(tmp_path / "two.csv", [row("S-1")])

    problems = run_failing(first, second, exam="security")

    assert problems == [f"{second}:2: question-id: 'S-1' is already used on {first}:2"]


def test_every_problem_is_reported_at_once_with_physical_lines(tmp_path):
    good = write_csv(tmp_path / "network.csv", [row("N-1")])
    bad = write_csv(
        tmp_path / "security.csv",
        [
            row("S-1", text="Spans\nthree\nlines"),  # lines 2-4
            row("S-2", text=""),  # line 5
            row("S-3"),  # line 6
            row("S-4", domain="9.1", answer="Z"),  # line 7
        ],
    )

    problems = run_failing(good, bad)

    assert problems == [
        f"{bad}:5: question-text: is empty",
        f"{bad}:7: domain: exam security has no domain 9 (objective 9.1); its domains are "
        "1, 2, 3, 4, 5",
        f"{bad}:7: correct answer: 'Z' is not a letter A-J",
    ]


def test_nothing_is_written_when_any_file_has_a_problem(tmp_path):
    run(write_csv(tmp_path / "security.csv", [row("S-1")]))
    before = snapshot()
    write_csv(tmp_path / "security.csv", [row("S-1", text="Edited"), row("S-2", domain="1.99")])
    write_csv(tmp_path / "network.csv", [row("N-1")])
    write_csv(tmp_path / "a1101.csv", [row("A-1", answer="")])

    run_failing(tmp_path)

    assert snapshot() == before


def test_the_command_exits_non_zero(tmp_path):
    path = write_csv(tmp_path / "security.csv", [row(text="")])

    with pytest.raises(CommandError) as caught:
        run(path)

    assert caught.value.returncode == 1
    assert str(caught.value) == "1 problem(s) found; nothing was imported."


# --- Upsert -----------------------------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    path = write_csv(tmp_path / "security.csv", [row("S-1"), row("S-2", answer="B,D")])
    run(path)
    before = snapshot()

    out, _ = run(path)

    assert out.strip() == f"{path} -> security: 0 created, 0 updated, 2 unchanged"
    assert snapshot() == before


def test_an_edited_row_updates_the_question_and_choices_in_place(tmp_path):
    path = write_csv(tmp_path / "security.csv", [row("S-1"), row("S-2")])
    run(path)
    question = Question.objects.get(external_id="S-1")
    choice_ids = dict(question.choices.values_list("letter", "pk"))
    untouched = snapshot()[0][1]

    edited = row(
        "S-1",
        domain="2.3",
        text="Edited text?",
        options=("Corrective", "Changed B", "Deterrent"),
        explanations=("Right.", "", "Wrong."),
        answer="A,B",
    )
    write_csv(path, [edited, row("S-2")])
    out, _ = run(path)

    assert "0 created, 1 updated, 1 unchanged" in out
    question.refresh_from_db()
    assert question.text == "Edited text?"
    assert question.objective.code == "2.3"
    assert question.domain.number == 2
    assert question.updated_at > question.created_at
    assert dict(question.choices.values_list("letter", "pk")) == {
        letter: choice_ids[letter] for letter in "ABC"
    }
    assert list(question.choices.values_list("text", "explanation", "is_correct")) == [
        ("Corrective", "Right.", True),
        ("Changed B", "", True),
        ("Deterrent", "Wrong.", False),
    ]
    assert snapshot()[0][1] == untouched  # S-2, and its timestamps, did not move


def test_a_new_letter_is_added_to_an_existing_question(tmp_path):
    path = write_csv(tmp_path / "security.csv", [row("S-1", options=("a", "b"), explanations=())])
    run(path)
    ids = set(Choice.objects.values_list("pk", flat=True))

    write_csv(path, [row("S-1", options=("a", "b", "c"), explanations=())])
    run(path)

    assert ids < set(Choice.objects.values_list("pk", flat=True))
    assert Choice.objects.count() == 3


def test_rows_absent_from_the_file_are_left_alone(tmp_path):
    path = write_csv(tmp_path / "security.csv", [row("S-1"), row("S-2")])
    run(path)

    write_csv(path, [row("S-1")])
    run(path)

    assert Question.objects.filter(is_active=True).count() == 2


def test_retire_missing_retires_absent_questions_and_reactivates_present_ones(tmp_path):
    path = write_csv(tmp_path / "security.csv", [row("S-1"), row("S-2"), row("S-3")])
    run(path)
    run(write_csv(tmp_path / "network.csv", [row("N-1")]))
    Question.objects.filter(external_id="S-1").update(is_active=False)

    write_csv(path, [row("S-1"), row("S-3")])
    before = timezone.now()
    out, _ = run(path, retire_missing=True)

    assert "0 created, 1 updated, 1 unchanged" in out
    assert "security: 1 question(s) retired (not in the files)" in out
    assert dict(Question.objects.values_list("external_id", "is_active")) == {
        "S-1": True,
        "S-2": False,
        "S-3": True,
        "N-1": True,
    }
    assert Question.objects.get(external_id="S-2").updated_at >= before

    # Already retired, S-2 is not retired (or counted) again; S-3 now is.
    write_csv(path, [row("S-1")])
    out, _ = run(path, retire_missing=True)
    assert "security: 1 question(s) retired (not in the files)" in out


def test_import_does_not_reactivate_a_question_retired_by_staff(tmp_path):
    path = write_csv(tmp_path / "security.csv", [row("S-1")])
    run(path)
    Question.objects.update(is_active=False)

    out, _ = run(path)

    assert "1 unchanged" in out
    assert not Question.objects.get().is_active


def test_dry_run_reports_and_writes_nothing(tmp_path):
    path = write_csv(tmp_path / "security.csv", [row("S-1"), row("S-2")])
    run(path)
    before = snapshot()
    write_csv(path, [row("S-1", text="Edited?"), row("S-3", domain="1.7")])

    out, _ = run(path, dry_run=True, retire_missing=True)

    assert out.splitlines() == [
        f"{path} -> security: 1 would be created, 1 would be updated, 0 unchanged; "
        "new objectives would be created: 1.7",
        "security: 1 question(s) would be retired (not in the files)",
        "Dry run: nothing was written.",
    ]
    assert snapshot() == before


def test_dry_run_still_reports_problems(tmp_path):
    path = write_csv(tmp_path / "security.csv", [row(text="")])

    assert run_failing(path, dry_run=True) == [f"{path}:2: question-text: is empty"]


# --- Speed: a fixed number of queries per batch -----------------------------------------------


def count_queries(function):
    with CaptureQueriesContext(connection) as context:
        function()
    return len(context.captured_queries)


def test_queries_do_not_grow_with_rows_in_a_batch(tmp_path):
    """Creating, then updating, 5 or 50 rows in one batch takes the same number of queries."""
    counts = []
    for slug, size in [("security", 5), ("network", 50)]:
        path = write_csv(tmp_path / f"{slug}.csv", [row(f"Q-{n}") for n in range(size)])
        created = count_queries(lambda path=path: questions_import(paths=[path], batch_size=50))
        edited = [
            row(f"Q-{n}", text=f"Edited {n}", options=("a", "b", "c"), explanations=())
            for n in range(size)
        ]
        write_csv(path, edited)
        updated = count_queries(lambda path=path: questions_import(paths=[path], batch_size=50))
        counts.append((created, updated))
        assert Choice.objects.filter(question__exam__slug=slug).count() == size * 3

    assert counts[0] == counts[1]
    # 12, and two for the revisions of the questions created or edited (one read, one insert).
    assert max(counts[0]) <= 14


def test_batches_split_a_file(tmp_path):
    path = write_csv(tmp_path / "security.csv", [row(f"S-{n}") for n in range(25)])

    report = questions_import(paths=[path], batch_size=10)

    assert report.files[0].created == 25
    assert Choice.objects.count() == 100


def test_progress_bar_only_on_a_terminal(tmp_path):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    path = write_csv(tmp_path / "security.csv", [row(f"S-{n}") for n in range(3)])
    terminal = Terminal()
    call_command("import_questions", str(path), "--batch-size", "2", stdout=terminal)
    assert f"\r[{'#' * 20}{'-' * 10}] 2/3 {path}" in terminal.getvalue()
    assert f"\r[{'#' * 30}] 3/3 {path}\n" in terminal.getvalue()

    out, _ = run(path)
    assert "\r" not in out and "#" not in out


# --- Export and round trip --------------------------------------------------------------------


def test_export_writes_the_import_format(tmp_path):
    rows = [
        row("S-1", text="Two, lines\nhere", answer="A,C"),
        row("S-2", domain="1.10", options=("a", "b"), explanations=("", ""), answer="b"),
    ]
    run(write_csv(tmp_path / "security.csv", rows, lineterminator="\r\n", bom=True))

    text = export("security")

    expected = [
        row("S-1", text="Two, lines\nhere", answer="A,C"),
        row("S-2", domain="1.10", options=("a", "b"), explanations=("", ""), answer="B"),
    ]
    assert text == csv_text(expected)


def test_export_adds_option_e_and_f_only_when_used(tmp_path):
    header = [*HEADER[:-1], "option-e", "explanation-e", HEADER[-1]]
    rows = [[*row("S-1")[:-1], "five", "why", "E"], [*row("S-2")[:-1], "", "", "A"]]
    run(write_csv(tmp_path / "security.csv", rows, header=header))
    run(write_csv(tmp_path / "network.csv", [row("N-1")]))

    assert export("security").splitlines()[0] == (
        "question-id,domain,question-text,option-a,option-b,option-c,option-d,option-e,"
        "explanation-a,explanation-b,explanation-c,explanation-d,explanation-e,correct answer"
    )
    assert export("network").splitlines()[0] == ",".join(HEADER)


def test_round_trip_changes_nothing(tmp_path):
    header = [
        *HEADER[:-1],
        "option-e",
        "explanation-e",
        "option-f",
        "explanation-f",
        "correct answer",
    ]
    rows = [
        [*row("S-1", text=' "Quoted", and\nmultiline ')[:-1], "e", "why e", "f", "", "b, F"],
        [*row("S-2", domain="4.9", options=("x", "y"), explanations=())[:-1], *[""] * 4, "a"],
    ]
    run(write_csv(tmp_path / "security.csv", rows, header=header))
    before = snapshot()
    exported = tmp_path / "out" / "security.csv"
    exported.parent.mkdir()
    call_command(
        "export_questions", "--exam", "security", "-o", str(exported), stderr=io.StringIO()
    )

    out, _ = run(exported)

    assert out.strip() == f"{exported} -> security: 0 created, 0 updated, 2 unchanged"
    assert snapshot() == before
    assert export("security") == exported.read_text()


def test_export_leaves_out_retired_questions_unless_asked(tmp_path):
    run(write_csv(tmp_path / "security.csv", [row("S-1"), row("S-2")]))
    Question.objects.filter(external_id="S-2").update(is_active=False)

    assert [line.split(",")[0] for line in export("security").splitlines()[1:]] == ["S-1"]
    assert len(export("security", "--include-retired").splitlines()) == 3


def test_export_of_an_unknown_exam_is_an_error():
    with pytest.raises(CommandError, match="unknown exam 'nope'"):
        export("nope")


def test_export_of_an_empty_bank_is_just_the_header():
    assert export("a1201") == ",".join(HEADER) + "\n"
    assert Exam.objects.filter(slug="a1201").exists()


# --- The optional difficulty column ------------------------------------------------------------

DIFFICULTY_HEADER = [*HEADER, "difficulty"]


def test_the_difficulty_column_sets_each_questions_difficulty(tmp_path):
    path = write_csv(
        tmp_path / "security.csv",
        [[*row("S-1"), "easy"], [*row("S-2"), "Hard"], [*row("S-3"), ""]],
        header=DIFFICULTY_HEADER,
    )

    run(path)

    assert dict(Question.objects.values_list("external_id", "difficulty")) == {
        "S-1": Question.Difficulty.EASY,
        "S-2": Question.Difficulty.HARD,
        "S-3": None,
    }


def test_an_unknown_difficulty_is_refused_on_its_line_and_column(tmp_path):
    path = write_csv(
        tmp_path / "security.csv",
        [[*row("S-1"), "medium"], [*row("S-2"), "tricky"]],
        header=DIFFICULTY_HEADER,
    )

    problems = run_failing(path)

    assert problems == [
        f"{path}:3: difficulty: 'tricky' is not one of easy, medium, hard (or empty)"
    ]
    assert not Question.objects.exists()


def test_a_file_without_the_column_leaves_difficulties_alone(tmp_path):
    run(write_csv(tmp_path / "security.csv", [[*row("S-1"), "hard"]], header=DIFFICULTY_HEADER))
    without = write_csv(tmp_path / "security.csv", [row("S-1")])

    out, _ = run(without)

    assert out.strip().endswith("0 created, 0 updated, 1 unchanged")
    assert Question.objects.get().difficulty == Question.Difficulty.HARD


def test_a_changed_difficulty_updates_the_question(tmp_path):
    path = write_csv(tmp_path / "security.csv", [[*row("S-1"), "easy"]], header=DIFFICULTY_HEADER)
    run(path)
    write_csv(path, [[*row("S-1"), "medium"]], header=DIFFICULTY_HEADER)

    out, _ = run(path)

    assert out.strip().endswith("0 created, 1 updated, 0 unchanged")
    assert Question.objects.get().difficulty == Question.Difficulty.MEDIUM


def test_export_writes_the_difficulty_column_only_when_a_question_has_one(tmp_path):
    run(write_csv(tmp_path / "security.csv", [row("S-1"), row("S-2")]))
    assert export("security").splitlines()[0] == ",".join(HEADER)

    Question.objects.filter(external_id="S-2").update(difficulty=Question.Difficulty.HARD)

    lines = export("security").splitlines()
    assert lines[0] == ",".join(DIFFICULTY_HEADER)
    assert lines[1].endswith(",A,") and lines[2].endswith(",A,hard")
