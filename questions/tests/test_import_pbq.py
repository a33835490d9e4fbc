"""Performance-based questions in the CSV format: order and match rows, exhibits, the key."""

import io

import pytest
from django.core.management import call_command

from questions.csv_format import header_for
from questions.models import Choice, Question
from questions.tests.csvs import write_csv
from questions.tests.test_import import export, run, run_failing

pytestmark = pytest.mark.django_db

HEADER = header_for("ABCDEF", kind=True, exhibit=True, values=True)


def pbq(
    external_id="P-1",
    kind="order",
    options=("Identify the problem", "Establish a theory", "Test the theory"),
    explanations=("First.", "Second.", "Third."),
    values="",
    answer="B,C,A",
    text="Place the steps in order.",
    exhibit="",
    domain="1.1",
):
    options = list(options) + [""] * (6 - len(options))
    explanations = list(explanations) + [""] * (6 - len(explanations))
    return [external_id, domain, text, kind, exhibit, *options, *explanations, values, answer]


def match(**fields):
    return pbq(
        **{
            "kind": "match",
            "options": ("TCP 22", "TCP 23", "TCP 443"),
            "explanations": ("SSH is encrypted.", "Telnet is clear text.", "HTTPS is TLS."),
            "values": "Allow | Deny",
            "answer": "Allow | Deny | Allow",
            "text": "Decide for each port.",
            **fields,
        }
    )


def test_an_order_row_stores_each_items_correct_position(tmp_path):
    path = write_csv(tmp_path / "security.csv", [pbq(answer="c a b")], header=HEADER)

    run(path)

    question = Question.objects.get()
    assert question.kind == "order"
    assert question.match_values == []
    assert list(question.choices.order_by("letter").values_list("letter", "position")) == [
        ("A", 2),
        ("B", 3),
        ("C", 1),
    ]


def test_a_match_row_stores_each_rows_value_as_the_list_spells_it(tmp_path):
    exhibit = "| Rule | Port |\n| 1 | 22 |"
    path = write_csv(
        tmp_path / "security.csv",
        [match(answer="allow|DENY |  Allow", exhibit=exhibit)],
        header=HEADER,
    )

    run(path)

    question = Question.objects.get()
    assert (question.kind, question.exhibit, question.match_values) == (
        "match",
        exhibit,
        ["Allow", "Deny"],
    )
    assert list(question.choices.order_by("letter").values_list("value", "is_correct")) == [
        ("Allow", False),
        ("Deny", False),
        ("Allow", False),
    ]


def test_every_type_exports_in_one_file_and_imports_unchanged(tmp_path):
    mc = ["M-1", "1.1", "Which port does SSH use?", "", "| a |", "22", "23", "", "", "", ""]
    mc += ["Right.", "Telnet.", "", "", "", "", "", "A"]
    path = write_csv(
        tmp_path / "security.csv",
        [mc, pbq(answer="C,A,B"), match(external_id="P-2")],
        header=HEADER,
    )
    run(path)

    exported = export("security")

    assert exported.splitlines()[0] == (
        "question-id,domain,question-text,type,exhibit,option-a,option-b,option-c,option-d,"
        "explanation-a,explanation-b,explanation-c,explanation-d,values,correct answer"
    )
    assert exported.splitlines()[2].endswith(',,"C,A,B"')
    assert exported.splitlines()[3].endswith(",Allow | Deny,Allow | Deny | Allow")
    again = tmp_path / "again" / "security.csv"
    again.parent.mkdir()
    again.write_text(exported, encoding="utf-8")
    out, _ = run(again)
    assert "0 created, 0 updated, 3 unchanged" in out
    assert export("security") == exported


def test_a_file_without_the_new_columns_exports_without_them(tmp_path):
    mc = ["M-1", "1.1", "Which port does SSH use?", "22", "23", "80", "443"]
    mc += ["Right.", "Telnet.", "HTTP.", "HTTPS.", "A"]
    path = write_csv(tmp_path / "security.csv", [mc])
    run(path)

    assert export("security") == path.read_text()


def test_changing_a_questions_type_updates_it_in_place(tmp_path):
    path = write_csv(tmp_path / "security.csv", [pbq()], header=HEADER)
    run(path)
    ids = list(Choice.objects.order_by("letter").values_list("pk", flat=True))
    write_csv(path, [match(external_id="P-1")], header=HEADER)

    out, _ = run(path)

    assert "0 created, 1 updated" in out
    question = Question.objects.get()
    assert question.kind == "match"
    assert list(question.choices.order_by("letter").values_list("pk", "position", "value")) == [
        (ids[0], None, "Allow"),
        (ids[1], None, "Deny"),
        (ids[2], None, "Allow"),
    ]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (pbq(kind="sort"), "type: 'sort' is not one of order, match (or empty for multiple"),
        (pbq(values="A | B"), "values: only a match question takes values; leave it empty"),
        (pbq(answer="B,B,A"), "correct answer: B appear(s) more than once; name each item once"),
        (pbq(answer="B,C"), "correct answer: A missing; the order must name every item once"),
        (pbq(answer="B,C,A,D"), "correct answer: 'D' is not an item of this question"),
        (pbq(answer=""), "correct answer: is empty; expected the item letters in the right order"),
        (
            pbq(options=("one", "two"), answer="A,B"),
            "option-b: an order question needs at least 3 items; it has 2",
        ),
        (
            pbq(text="Order them. (Choose TWO.)"),
            "question-text: says 'Choose TWO' but an order question has no options to choose",
        ),
        (match(values=""), "values: is empty; a match question needs its values separated by |"),
        (match(values="Allow"), "values: 1 value(s); a match question takes 2 to 8"),
        (match(values="Allow | allow"), "values: 'allow' is listed twice"),
        (match(values="Allow || Deny"), "values: a value is empty; separate the values with"),
        (
            match(values=" | ".join(f"V{n}" for n in range(9)), answer="V1 | V2 | V3"),
            "values: 9 value(s); a match question takes 2 to 8",
        ),
        (
            match(answer="Allow | Deny"),
            "correct answer: 2 value(s) for 3 rows; give one value per row, separated by |",
        ),
        (
            match(answer="Allow | Maybe | Allow"),
            "correct answer: 'Maybe' (row B) is not one of the values: Allow, Deny",
        ),
        (
            match(answer="Allow |  | Allow"),
            "correct answer: row B has no value",
        ),
        (
            match(options=("only",), explanations=(), answer="Allow"),
            "option-b: is empty; a match question needs at least 2 rows; it has 1",
        ),
    ],
)
def test_each_broken_pbq_row_is_reported_with_its_column(tmp_path, row, message):
    path = write_csv(tmp_path / "security.csv", [pbq(external_id="OK-1"), row], header=HEADER)

    problems = run_failing(path)

    assert any(problem.startswith(f"{path}:3: {message}") for problem in problems), problems
    assert not Question.objects.exists()


def test_eleven_items_are_too_many(tmp_path):
    header = header_for("ABCDEFGHIJ", kind=True, exhibit=True, values=True)
    items = [f"step {n}" for n in range(10)]
    row = ["P-1", "1.1", "Order them.", "order", "", *items, *[""] * 10, "", "J,I,H,G,F,E,D,C,B,A"]
    path = write_csv(tmp_path / "security.csv", [row], header=header)
    run(path)
    header_k = [*header[:15], "option-k", *header[15:]]
    write_csv(tmp_path / "security.csv", [[*row[:15], "x", *row[15:]]], header=header_k)

    problems = run_failing(path)

    assert problems[0].startswith(f"{path}:1: header: unknown column 'option-k'")


def test_export_writes_option_columns_up_to_the_highest_letter_used(tmp_path):
    header = header_for("ABCDEFGH", kind=True, exhibit=True, values=True)
    items = [f"step {n}" for n in range(8)]
    row = ["P-1", "1.1", "Order them.", "order", "", *items, *[""] * 8, "", "HGFEDCBA"]
    run(write_csv(tmp_path / "security.csv", [row], header=header))

    out = io.StringIO()
    call_command("export_questions", "--exam", "security", stdout=out)

    first = out.getvalue().splitlines()[0]
    assert "option-h" in first and "option-i" not in first and "exhibit" not in first
    assert out.getvalue().splitlines()[1].endswith('"H,G,F,E,D,C,B,A"')


def test_a_reimport_in_batches_updates_what_changed_of_each_pbq_and_counts_it_once(tmp_path):
    from questions.services import questions_import

    first = [
        pbq("P-1", answer="B,C,A"),
        pbq("P-2", exhibit="port 22"),
        match(external_id="P-3"),
        pbq("P-4"),
        match(external_id="P-5"),
    ]
    questions_import(paths=[write_csv(tmp_path / "security.csv", first, header=HEADER)])
    before = dict(Question.objects.values_list("external_id", "revision_number"))
    edited = [
        pbq("P-1", answer="A,B,C"),  # a new order
        pbq("P-2", exhibit="port 3389"),  # a new exhibit
        match(external_id="P-3", values="Allow | Deny | Log", answer="Log | Deny | Allow"),
        pbq("P-4"),  # unchanged
        pbq("P-5"),  # a match question becomes an order
    ]
    again = tmp_path / "again" / "security.csv"
    again.parent.mkdir()

    report = questions_import(paths=[write_csv(again, edited, header=HEADER)], batch_size=2)

    counts = report.files[0]
    assert (counts.created, counts.updated, counts.unchanged) == (0, 4, 1)
    stored = {q.external_id: q for q in Question.objects.all()}
    assert {name: q.revision_number - before[name] for name, q in stored.items()} == {
        "P-1": 1, "P-2": 1, "P-3": 1, "P-4": 0, "P-5": 1,
    }  # fmt: skip
    positions = stored["P-1"].choices.order_by("letter").values_list("position", flat=True)
    assert list(positions) == [1, 2, 3]
    assert stored["P-2"].exhibit == "port 3389"
    assert stored["P-3"].match_values == ["Allow", "Deny", "Log"]
    values = stored["P-3"].choices.order_by("letter").values_list("value", flat=True)
    assert list(values) == ["Log", "Deny", "Allow"]
    assert (stored["P-5"].kind, stored["P-5"].match_values) == ("order", [])
    # "B,C,A": B comes first, C second, A third
    assert list(stored["P-5"].choices.order_by("letter").values_list("position", flat=True)) == [
        3, 1, 2,
    ]  # fmt: skip
