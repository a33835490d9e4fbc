"""The CSV format of the question bank: reading rows into plain data and writing them back.

This module knows columns, letters and line numbers, and nothing about the database. The rules
of a question's choices (and of its "(Choose N.)") are ``questions.rules``, shared with the
admin; this module only places their problems on a column. Checks
that need the database (does the exam have this domain? is this id used twice?) live in
``questions.services``. See docs/IMPORT.md for the format as admins see it.
"""

import csv
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple, TextIO

from questions.models import LETTERS, MATCH_VALUE_MAX_LENGTH
from questions.rules import (
    choices_check,
    element_count_problem,
    match_key_resolve,
    order_key_problems,
    pbq_text_problem,
    values_join,
    values_problems,
    values_split,
)

ID_COLUMN = "question-id"
DOMAIN_COLUMN = "domain"
TEXT_COLUMN = "question-text"
ANSWER_COLUMN = "correct answer"
DIFFICULTY_COLUMN = "difficulty"
TYPE_COLUMN = "type"
EXHIBIT_COLUMN = "exhibit"
VALUES_COLUMN = "values"
# The type column: empty for multiple choice, or one of these words (any case).
TYPES = ("order", "match")
# The optional difficulty column holds one of these words (any case) or nothing.
DIFFICULTIES = {"easy": 1, "medium": 2, "hard": 3}
DIFFICULTY_WORDS = {number: word for word, number in DIFFICULTIES.items()}
REQUIRED_LETTERS = "ABCD"
OPTIONAL_LETTERS = LETTERS[4:]

EXTERNAL_ID_MAX_LENGTH = 64
OBJECTIVE_CODE_MAX_LENGTH = 10
# Objective codes are labels ("1.10" is not "1.1"): digits, one dot, digits, no leading zero.
OBJECTIVE_CODE = re.compile(r"[1-9][0-9]*\.[1-9][0-9]*")
ANSWER_SEPARATORS = re.compile(r"[\s,;/]+")


def option_column(letter: str) -> str:
    return f"option-{letter.lower()}"


def explanation_column(letter: str) -> str:
    return f"explanation-{letter.lower()}"


def header_for(
    letters: str,
    *,
    difficulty: bool = False,
    kind: bool = False,
    exhibit: bool = False,
    values: bool = False,
) -> list[str]:
    """The header row for questions using choices ``letters`` (at least A-D).

    Each flag adds its optional column where export writes it: ``kind`` (the type column) and
    ``exhibit`` after the text, ``values`` before the answer, ``difficulty`` after it.
    """
    return [
        ID_COLUMN,
        DOMAIN_COLUMN,
        TEXT_COLUMN,
        *([TYPE_COLUMN] if kind else []),
        *([EXHIBIT_COLUMN] if exhibit else []),
        *(option_column(letter) for letter in letters),
        *(explanation_column(letter) for letter in letters),
        *([VALUES_COLUMN] if values else []),
        ANSWER_COLUMN,
        *([DIFFICULTY_COLUMN] if difficulty else []),
    ]


OPTION_COLUMNS = {letter: option_column(letter) for letter in LETTERS}
EXPLANATION_COLUMNS = {letter: explanation_column(letter) for letter in LETTERS}
REQUIRED_COLUMNS = header_for(REQUIRED_LETTERS)
OPTIONAL_COLUMNS = [
    column
    for letter in OPTIONAL_LETTERS
    for column in (option_column(letter), explanation_column(letter))
]
EXTRA_COLUMNS = [TYPE_COLUMN, EXHIBIT_COLUMN, VALUES_COLUMN, DIFFICULTY_COLUMN]


@dataclass(frozen=True, slots=True)
class ChoiceData:
    """An option, an item (``position``: its place in the right order) or a row (``value``)."""

    letter: str
    text: str
    explanation: str
    is_correct: bool
    position: int | None = None
    value: str = ""


@dataclass(frozen=True, slots=True)
class QuestionRow:
    """One valid row. ``line`` is the physical line where the row starts (the header is 1)."""

    line: int
    external_id: str
    objective_code: str
    text: str
    choices: tuple[ChoiceData, ...]
    # 1-3 (easy, medium, hard) or None. ``difficulty_given`` says whether the file has the
    # column at all: a file without it leaves the bank's difficulties as they are.
    difficulty: int | None = None
    difficulty_given: bool = False
    # "choice", "order" or "match"; a match question's values in their listed order.
    kind: str = "choice"
    exhibit: str = ""
    values: tuple[str, ...] = ()


class RowProblem(NamedTuple):
    line: int
    message: str


def clean_value(value: str) -> str:
    """Trim a field and normalise line breaks, so CRLF and LF files give the same text."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def answer_letters(value: str) -> list[str]:
    """``"B"``, ``"A,C"``, ``"AC"``, ``"a, c"`` -> letters in the order given (may repeat)."""
    return [char for part in ANSWER_SEPARATORS.split(value.upper()) for char in part]


def read_question_rows(
    stream: TextIO, *, exam: str = "the exam", domains: Collection[int] | None = None
) -> Iterator[QuestionRow | RowProblem]:
    """Yield a ``QuestionRow`` per valid row and a ``RowProblem`` per problem, in file order.

    ``stream`` must be opened with ``newline=""`` (and ``encoding="utf-8-sig"`` to drop a
    BOM). ``domains`` are the domain numbers of ``exam``; when given, an objective code
    outside them is a problem. Blank rows are skipped. A header problem, undecodable bytes or
    broken quoting stop the file after being reported: nothing after them can be trusted.
    """
    reader = csv.reader(stream)
    try:
        header = next(reader, None)
        if header is None:
            yield RowProblem(1, "the file is empty; expected a header row")
            return
        columns, problems = _read_header(header)
        for problem in problems:
            yield RowProblem(1, problem)
        if problems:
            return
        while True:
            start = reader.line_num + 1
            fields = next(reader, None)
            if fields is None:
                return
            if not any(field.strip() for field in fields):
                continue
            yield from _read_row(start, fields, columns, len(header), exam, domains)
    except UnicodeDecodeError:
        yield RowProblem(
            reader.line_num + 1,
            "the file is not UTF-8 text; save it as 'CSV UTF-8' and import again",
        )
    except csv.Error as error:
        yield RowProblem(reader.line_num, f"cannot read the CSV ({error})")


def _read_header(header: list[str]) -> tuple[dict[str, int], list[str]]:
    names = [clean_value(name).lower() for name in header]
    problems = []
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        if not name:
            if any(field.strip() for field in header[index:]):
                problems.append(f"header: column {index + 1} has no name")
            continue
        if name in columns:
            problems.append(f"header: column '{name}' appears twice")
        elif name not in REQUIRED_COLUMNS and name not in [*OPTIONAL_COLUMNS, *EXTRA_COLUMNS]:
            problems.append(
                f"header: unknown column '{name}'; columns are "
                + ", ".join(
                    header_for(LETTERS, difficulty=True, kind=True, exhibit=True, values=True)
                )
            )
        columns.setdefault(name, index)
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        problems.append("header: missing column(s) " + ", ".join(missing))
    for previous, letter in zip(LETTERS[3:], OPTIONAL_LETTERS, strict=False):
        option, explanation = option_column(letter), explanation_column(letter)
        if explanation in columns and option not in columns:
            problems.append(f"header: {explanation} without {option}")
        if option in columns and option_column(previous) not in columns:
            problems.append(f"header: {option} without {option_column(previous)}")
    return columns, problems


def _read_row(
    line: int,
    fields: list[str],
    columns: dict[str, int],
    width: int,
    exam: str,
    domains: Collection[int] | None,
) -> Iterator[QuestionRow | RowProblem]:
    if len(fields) != width:
        hint = " (a comma in an unquoted field?)" if len(fields) > width else ""
        yield RowProblem(line, f"the row has {len(fields)} fields but the header has {width}{hint}")
        return

    def value(column: str) -> str:
        index = columns.get(column)
        return "" if index is None else clean_value(fields[index])

    problems = []
    if any("\x00" in field for field in fields):
        problems.append("the row contains a NUL character")

    external_id = value(ID_COLUMN)
    if not external_id:
        problems.append(f"{ID_COLUMN}: is empty")
    elif len(external_id) > EXTERNAL_ID_MAX_LENGTH:
        problems.append(f"{ID_COLUMN}: longer than {EXTERNAL_ID_MAX_LENGTH} characters")

    code = value(DOMAIN_COLUMN)
    if not code:
        problems.append(f"{DOMAIN_COLUMN}: is empty; expected an objective code such as 2.3")
    elif not OBJECTIVE_CODE.fullmatch(code) or len(code) > OBJECTIVE_CODE_MAX_LENGTH:
        problems.append(f"{DOMAIN_COLUMN}: '{code}' is not an objective code such as 2.3")
    elif domains is not None and int(code.split(".")[0]) not in domains:
        have = ", ".join(str(number) for number in sorted(domains)) or "none"
        problems.append(
            f"{DOMAIN_COLUMN}: {exam} has no domain {code.split('.')[0]} (objective {code}); "
            f"its domains are {have}"
        )

    text = value(TEXT_COLUMN)
    if not text:
        problems.append(f"{TEXT_COLUMN}: is empty")

    raw_kind = value(TYPE_COLUMN).lower()
    kind = raw_kind or "choice"
    if raw_kind and raw_kind not in TYPES:
        problems.append(
            f"{TYPE_COLUMN}: '{value(TYPE_COLUMN)}' is not one of {', '.join(TYPES)} "
            "(or empty for multiple choice)"
        )
        kind = None

    letters = [letter for letter in LETTERS if OPTION_COLUMNS[letter] in columns]
    options = {letter: value(OPTION_COLUMNS[letter]) for letter in letters}
    explanations = {letter: value(EXPLANATION_COLUMNS[letter]) for letter in letters}
    filled = [letter for letter in letters if options[letter]]
    if kind in TYPES:  # multiple choice: questions.rules.choices_check, below
        for position, letter in enumerate(filled):
            if letter != LETTERS[position]:
                gap = LETTERS[position]
                problems.append(
                    f"{option_column(gap)}: is empty but {option_column(letter)} is filled; "
                    "fill options from A without gaps"
                )
                break
        count_problem = element_count_problem(kind, len(filled))
        if count_problem and len(filled) < 2:
            missing = option_column(LETTERS[len(filled)])
            problems.append(f"{missing}: is empty; {count_problem}")
        elif count_problem:
            problems.append(f"{option_column(filled[-1])}: {count_problem}")
    for letter in letters:
        if explanations[letter] and not options[letter]:
            problems.append(
                f"{explanation_column(letter)}: has text but {option_column(letter)} is empty"
            )

    raw_difficulty = value(DIFFICULTY_COLUMN).lower()
    if raw_difficulty and raw_difficulty not in DIFFICULTIES:
        problems.append(
            f"{DIFFICULTY_COLUMN}: '{value(DIFFICULTY_COLUMN)}' is not one of "
            + ", ".join(DIFFICULTIES)
            + " (or empty)"
        )

    values = values_split(value(VALUES_COLUMN))
    if kind == "match":
        if not values:
            problems.append(
                f"{VALUES_COLUMN}: is empty; a match question needs its values separated by |, "
                "such as Allow | Deny"
            )
        for problem in values_problems(values, max_length=MATCH_VALUE_MAX_LENGTH):
            problems.append(f"{VALUES_COLUMN}: {problem}")
    elif values and kind is not None:
        problems.append(f"{VALUES_COLUMN}: only a match question takes values; leave it empty")
    if kind in TYPES and text:
        text_problem = pbq_text_problem(text, kind)
        if text_problem:
            problems.append(f"{TEXT_COLUMN}: {text_problem}")

    raw_answer = value(ANSWER_COLUMN)
    choices: tuple[ChoiceData, ...] = ()
    if kind == "match":
        key, key_problems = match_key_resolve(
            values=values, key=values_split(raw_answer), rows=len(filled)
        )
        if not raw_answer:
            key_problems = ["is empty; expected one value per row separated by |"]
        problems.extend(f"{ANSWER_COLUMN}: {problem}" for problem in key_problems)
        if not key_problems:
            choices = tuple(
                ChoiceData(letter, options[letter], explanations[letter], False, value=given)
                for letter, given in zip(filled, key, strict=True)
            )
    elif kind is not None:
        correct = answer_letters(raw_answer)
        if not correct:
            expected = (
                "the item letters in the right order, such as C,A,B"
                if kind == "order"
                else "letters such as B or A,C"
            )
            problems.append(f"{ANSWER_COLUMN}: is empty; expected {expected}")
        elif kind == "order":
            problems.extend(
                f"{ANSWER_COLUMN}: {problem}"
                for problem in order_key_problems(letters=filled, key=correct)
            )
            if not problems:
                place = {letter: index for index, letter in enumerate(correct, start=1)}
                choices = tuple(
                    ChoiceData(letter, options[letter], explanations[letter], False, place[letter])
                    for letter in filled
                )
        else:
            for letter in dict.fromkeys(correct):
                if letter not in LETTERS:
                    problems.append(f"{ANSWER_COLUMN}: '{letter}' is not a letter A-{LETTERS[-1]}")
                elif letter not in filled:
                    column = option_column(letter)
                    problems.append(f"{ANSWER_COLUMN}: {letter} has no option ({column} is empty)")
            answer_problems = any(problem.startswith(ANSWER_COLUMN) for problem in problems)
            correct_set = set(correct)
            for problem in choices_check(text=text, letters=filled, correct=correct_set):
                if problem.field == "answer" and answer_problems:
                    continue  # the letters themselves were wrong: said above
                column = {"choices": option_column(problem.letter or "A"), "text": TEXT_COLUMN}
                problems.append(f"{column.get(problem.field, ANSWER_COLUMN)}: {problem.message}")
            choices = tuple(
                ChoiceData(letter, options[letter], explanations[letter], letter in correct_set)
                for letter in filled
            )

    if problems:
        for problem in problems:
            yield RowProblem(line, problem)
        return
    yield QuestionRow(
        line=line,
        external_id=external_id,
        objective_code=code,
        text=text,
        choices=choices,
        difficulty=DIFFICULTIES.get(raw_difficulty),
        difficulty_given=DIFFICULTY_COLUMN in columns,
        kind=kind,
        exhibit=value(EXHIBIT_COLUMN),
        values=tuple(values) if kind == "match" else (),
    )


def answer_text(row: QuestionRow) -> str:
    """The correct-answer field of ``row`` as export writes it.

    Multiple choice: the correct letters, ``A,C``. Order: the item letters in the right order,
    ``C,A,D,B``. Match: each row's value in row order, ``Allow | Deny | Allow``.
    """
    if row.kind == "order":
        return ",".join(choice.letter for choice in sorted(row.choices, key=_position))
    if row.kind == "match":
        return values_join(choice.value for choice in row.choices)
    return ",".join(choice.letter for choice in row.choices if choice.is_correct)


def _position(choice: ChoiceData) -> int:
    return choice.position or 0


def write_question_rows(
    out: TextIO,
    letters: str,
    rows: Iterable[QuestionRow],
    *,
    difficulty: bool = False,
    kind: bool = False,
    exhibit: bool = False,
    values: bool = False,
) -> int:
    """Write a header for ``letters`` (A-D up to A-J) and ``rows``; return the row count.

    Lines end with LF; fields are quoted only when needed. The flags add the optional columns
    (see ``header_for``); the caller sets each when some row uses it.
    """
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        header_for(letters, difficulty=difficulty, kind=kind, exhibit=exhibit, values=values)
    )
    count = 0
    empty = ChoiceData("", "", "", False)
    for row in rows:
        by_letter = {choice.letter: choice for choice in row.choices}
        writer.writerow(
            [
                row.external_id,
                row.objective_code,
                row.text,
                *([row.kind if row.kind != "choice" else ""] if kind else []),
                *([row.exhibit] if exhibit else []),
                *(by_letter.get(letter, empty).text for letter in letters),
                *(by_letter.get(letter, empty).explanation for letter in letters),
                *([values_join(row.values)] if values else []),
                answer_text(row),
                *([DIFFICULTY_WORDS.get(row.difficulty, "")] if difficulty else []),
            ]
        )
        count += 1
    return count
