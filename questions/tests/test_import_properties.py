"""Property-based tests of the importer: generated valid files import and round-trip, and
a generated broken row is reported on its physical line with nothing written.

Each example runs inside its own savepoint that is rolled back, so examples do not see each
other's questions although they share the test's database transaction.
"""

import csv
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questions.models import LETTERS, Question
from questions.rules import stated_answer_count
from questions.selectors import questions_export
from questions.services import QuestionImportError, questions_import
from questions.tests.factories import ExamFactory

pytestmark = pytest.mark.django_db

PROPERTY_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# Field text as admins type it: any letters, digits, punctuation, symbols and spaces, plus
# commas, quotes and line breaks that the CSV must quote. Never NUL or a bare CR.
field_text = st.text(
    alphabet=st.characters(
        categories=("L", "N", "P", "S", "Zs"), include_characters='\n,"', exclude_characters="\r"
    ),
    max_size=30,
)
filled_text = field_text.filter(lambda text: text.strip())
question_id = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/", min_size=1, max_size=12)
# Security+ has domains 1-5; minor numbers beyond 9 test that 1.10 is not 1.1.
objective_code = st.builds("{}.{}".format, st.integers(1, 5), st.integers(1, 12))


@dataclass
class GeneratedRow:
    external_id: str
    code: str
    text: str
    options: list[str]
    explanations: list[str]
    correct: list[str]
    answer: str
    difficulty: str = ""
    # "" (multiple choice), "order" or "match" in any case; a match question's values.
    kind: str = ""
    exhibit: str = ""
    values: list[str] = field(default_factory=list)
    # Order: the correct position of each option. Match: each row's value as listed.
    positions: list[int] = field(default_factory=list)
    row_values: list[str] = field(default_factory=list)


# A match value as typed in a cell: no |, no surrounding spaces, not empty.
value_text = (
    st.text(
        alphabet=st.characters(categories=("L", "N", "Zs"), include_characters=',".-/'),
        min_size=1,
        max_size=12,
    )
    .map(str.strip)
    .filter(bool)
)
spellings = st.sampled_from([",", "", ", ", " "])


@st.composite
def generated_row(draw, external_id):
    kind = draw(st.sampled_from(["", "", "order", "match"]))
    if kind == "order":
        return draw(generated_order_row(external_id))
    if kind == "match":
        return draw(generated_match_row(external_id))
    n_options = draw(st.integers(2, 10))
    options = draw(st.lists(filled_text, min_size=n_options, max_size=n_options))
    explanations = draw(st.lists(field_text, min_size=n_options, max_size=n_options))
    correct = draw(
        st.lists(st.sampled_from(LETTERS[:n_options]), min_size=1, max_size=n_options, unique=True)
    )
    spelling = draw(st.sampled_from([",", "", ", ", " "]))
    answer = spelling.join(correct)
    if draw(st.booleans()):
        answer = answer.lower()
    return GeneratedRow(
        external_id=external_id,
        code=draw(objective_code),
        # A stem that says "(Choose N.)" must agree with the key (questions.rules).
        text=draw(filled_text.filter(lambda text: stated_answer_count(text) is None)),
        options=options,
        explanations=explanations,
        correct=correct,
        answer=answer,
        difficulty=draw(st.sampled_from(["", "easy", "Medium", "HARD"])),
        exhibit=draw(st.sampled_from(["", "| a | b |\n| 1 | 2 |", "log line"])),
    )


def performance_row(draw, external_id, *, kind, n, answer, **key):
    """A performance-based row of ``n`` items (no correct letters: ``answer`` is the key), its
    kind in any case."""
    return GeneratedRow(
        external_id=external_id,
        code=draw(objective_code),
        text=draw(filled_text),
        options=draw(st.lists(filled_text, min_size=n, max_size=n)),
        explanations=draw(st.lists(field_text, min_size=n, max_size=n)),
        correct=[],
        answer=answer,
        kind=draw(st.sampled_from([kind, kind.upper(), kind.title()])),
        exhibit=draw(field_text),
        **key,
    )


@st.composite
def generated_order_row(draw, external_id):
    n_items = draw(st.integers(3, 10))
    sequence = draw(st.permutations(LETTERS[:n_items]))
    answer = draw(spellings).join(sequence)
    return performance_row(
        draw,
        external_id,
        kind="order",
        n=n_items,
        answer=answer.lower() if draw(st.booleans()) else answer,
        positions=[sequence.index(letter) + 1 for letter in LETTERS[:n_items]],
    )


@st.composite
def generated_match_row(draw, external_id):
    n_rows = draw(st.integers(2, 10))
    values = draw(st.lists(value_text, min_size=2, max_size=8, unique_by=str.casefold))
    row_values = draw(st.lists(st.sampled_from(values), min_size=n_rows, max_size=n_rows))
    # The key may spell a value in another case (ASCII only: Unicode case folds are not
    # all reversible, and the importer matches by casefold).
    typed = [
        value.upper() if value.isascii() and draw(st.booleans()) else value for value in row_values
    ]
    return performance_row(
        draw,
        external_id,
        kind="match",
        n=n_rows,
        answer=draw(st.sampled_from(["|", " | ", "  |"])).join(typed),
        values=values,
        row_values=row_values,
    )


@st.composite
def generated_file(draw, min_rows=1):
    ids = draw(st.lists(question_id, min_size=min_rows, max_size=8, unique=True))
    rows = [draw(generated_row(external_id)) for external_id in ids]
    return rows, draw(file_layout())


@st.composite
def file_layout(draw):
    return {
        "bom": draw(st.booleans()),
        "lineterminator": draw(st.sampled_from(["\n", "\r\n"])),
        "header_case": draw(st.sampled_from([str.lower, str.upper, str.title])),
        "header_padding": draw(st.sampled_from(["", " ", "  "])),
        "blank_before": draw(st.lists(st.booleans(), min_size=8, max_size=8)),
        "difficulty_column": draw(st.booleans()),
        "pbq_columns": draw(st.booleans()),
    }


def render(rows: list[GeneratedRow], layout: dict) -> tuple[bytes, list[int]]:
    """The file's bytes, and the physical line on which each row starts."""
    width = max(4, *(len(row.options) for row in rows))
    letters = LETTERS[:width]
    pbq = layout["pbq_columns"] or any(row.kind or row.exhibit for row in rows)
    header = [
        "question-id",
        "domain",
        "question-text",
        *(["type", "exhibit"] if pbq else []),
        *(f"option-{letter.lower()}" for letter in letters),
        *(f"explanation-{letter.lower()}" for letter in letters),
        *(["values"] if pbq else []),
        "correct answer",
        *(["difficulty"] if layout["difficulty_column"] else []),
    ]
    pad = layout["header_padding"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=layout["lineterminator"])
    writer.writerow([pad + layout["header_case"](name) + pad for name in header])
    lines = []
    for index, row in enumerate(rows):
        if layout["blank_before"][index]:
            out.write(layout["lineterminator"])
        lines.append(out.getvalue().count("\n") + 1)
        missing = [""] * (width - len(row.options))
        writer.writerow(
            [
                row.external_id,
                row.code,
                row.text,
                *([row.kind, row.exhibit] if pbq else []),
                *row.options,
                *missing,
                *row.explanations,
                *missing,
                *([" | ".join(row.values)] if pbq else []),
                row.answer,
                *([row.difficulty] if layout["difficulty_column"] else []),
            ]
        )
    bom = "\ufeff" if layout["bom"] else ""
    return (bom + out.getvalue()).encode(), lines


def bank():
    """The bank as comparable data: external id -> (code, text, difficulty, choices)."""
    return {
        question.external_id: (
            question.objective.code,
            question.text,
            question.difficulty,
            question.kind,
            question.exhibit,
            question.match_values,
            [
                (
                    choice.letter,
                    choice.text,
                    choice.explanation,
                    choice.is_correct,
                    choice.position,
                    choice.value,
                )
                for choice in question.choices.order_by("letter")
            ],
        )
        for question in Question.objects.select_related("objective")
    }


def expected_bank(rows: list[GeneratedRow], layout: dict):
    difficulties = {"easy": 1, "medium": 2, "hard": 3}
    return {
        row.external_id: (
            row.code,
            row.text.strip(),
            difficulties.get(row.difficulty.lower()) if layout["difficulty_column"] else None,
            row.kind.lower() or "choice",
            row.exhibit.strip(),
            row.values,
            [
                (
                    letter,
                    option.strip(),
                    explanation.strip(),
                    letter in row.correct,
                    row.positions[index] if row.positions else None,
                    row.row_values[index] if row.row_values else "",
                )
                for index, (letter, option, explanation) in enumerate(
                    zip(LETTERS, row.options, row.explanations, strict=False)
                )
            ],
        )
        for row in rows
    }


@pytest.fixture
def security():
    return ExamFactory(slug="security")


@PROPERTY_SETTINGS
@given(generated=generated_file())
def test_valid_files_import_and_round_trip(security, generated):
    rows, layout = generated
    content, _ = render(rows, layout)
    with tempfile.TemporaryDirectory() as folder, transaction.atomic():
        path = Path(folder) / "security.csv"
        path.write_bytes(content)

        report = questions_import(paths=[path])

        assert report.files[0].created == len(rows)
        assert bank() == expected_bank(rows, layout)

        exported = io.StringIO()
        questions_export(exam=security, out=exported)
        path.write_text(exported.getvalue(), encoding="utf-8")
        report = questions_import(paths=[path])

        assert report.files[0].unchanged == len(rows)
        assert bank() == expected_bank(rows, layout)
        again = io.StringIO()
        questions_export(exam=security, out=again)
        assert again.getvalue() == exported.getvalue()
        transaction.set_rollback(True)


BREAKAGES = {
    "empty text": lambda row: setattr(row, "text", "  "),
    "one option": lambda row: (
        setattr(row, "options", row.options[:1]),
        setattr(row, "explanations", row.explanations[:1]),
        setattr(row, "correct", ["A"]),
        setattr(row, "answer", "A"),
    ),
    "answer without option": lambda row: setattr(row, "answer", LETTERS[len(row.options)]),
    "not a letter": lambda row: setattr(row, "answer", "Z"),
    "empty answer": lambda row: setattr(row, "answer", ""),
    "domain of no exam": lambda row: setattr(row, "code", "9.1"),
    "malformed code 1": lambda row: setattr(row, "code", "1"),
    "malformed code 1.": lambda row: setattr(row, "code", "1."),
    "malformed code x.2": lambda row: setattr(row, "code", "x.2"),
    "gap in options": lambda row: row.options.__setitem__(1, ""),
    "empty id": lambda row: setattr(row, "external_id", " "),
    "unknown type": lambda row: setattr(row, "kind", "sort"),
    "values on a row that is not a match": lambda row: (
        setattr(row, "kind", "order" if row.kind.lower() == "match" else row.kind),
        setattr(row, "values", ["Allow", "Deny"]),
    ),
    "order key repeats a letter": lambda row: _as_order(row, "A,A," + "".join(LETTERS[2:])),
    "order key misses an item": lambda row: _as_order(row, ",".join(LETTERS[1:])),
    "match key shorter than the rows": lambda row: _as_match(row, "Allow"),
    "match value not in the list": lambda row: _as_match(
        row, " | ".join(["Maybe"] * len(row.options))
    ),
    "match with one value": lambda row: (
        _as_match(row, " | ".join(["Allow"] * len(row.options))),
        setattr(row, "values", ["Allow"]),
    ),
    "Choose N on a PBQ": lambda row: (
        _as_order(row, ",".join(LETTERS)),
        setattr(row, "text", "Put them in order. (Choose TWO.)"),
    ),
    "too few items": lambda row: _as_order(row, "A,B", items=2),
}


def _as_order(row, answer, items=None):
    """Make ``row`` an order question of 3-10 items (or ``items``) with ``answer`` as key."""
    count = items or min(max(3, len(row.options)), 10)
    row.kind, row.values = "order", []
    row.options = (row.options + ["item"] * count)[:count]
    row.explanations = (row.explanations + [""] * count)[:count]
    row.answer = ",".join(LETTERS[:count]) if answer == ",".join(LETTERS) else answer


def _as_match(row, answer):
    row.kind, row.values, row.answer = "match", ["Allow", "Deny"], answer


@PROPERTY_SETTINGS
@given(
    generated=generated_file(min_rows=2),
    breakage=st.sampled_from([*BREAKAGES, "repeated id"]),
    data=st.data(),
)
def test_a_broken_row_is_reported_on_its_line_and_nothing_is_written(
    security, generated, breakage, data
):
    rows, layout = generated
    index = data.draw(st.integers(1, len(rows) - 1), label="broken row")
    if breakage == "repeated id":
        rows[index].external_id = rows[data.draw(st.integers(0, index - 1))].external_id
    else:
        if breakage == "answer without option" and len(rows[index].options) == len(LETTERS):
            breakage = "not a letter"

        BREAKAGES[breakage](rows[index])
    content, lines = render(rows, layout)
    with tempfile.TemporaryDirectory() as folder, transaction.atomic():
        path = Path(folder) / "security.csv"
        path.write_bytes(content)

        with pytest.raises(QuestionImportError) as caught:
            questions_import(paths=[path])

        assert any(
            problem.startswith(f"{path}:{lines[index]}: ") for problem in caught.value.problems
        ), (breakage, lines[index], caught.value.problems)
        assert not Question.objects.exists()
        transaction.set_rollback(True)
