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

from questions.models import LETTERS
from questions.rules import choices_check

ID_COLUMN = "question-id"
DOMAIN_COLUMN = "domain"
TEXT_COLUMN = "question-text"
ANSWER_COLUMN = "correct answer"
DIFFICULTY_COLUMN = "difficulty"
# The optional difficulty column holds one of these words (any case) or nothing.
DIFFICULTIES = {"easy": 1, "medium": 2, "hard": 3}
DIFFICULTY_WORDS = {number: word for word, number in DIFFICULTIES.items()}
REQUIRED_LETTERS = "ABCD"
OPTIONAL_LETTERS = "EF"

EXTERNAL_ID_MAX_LENGTH = 64
OBJECTIVE_CODE_MAX_LENGTH = 10
# Objective codes are labels ("1.10" is not "1.1"): digits, one dot, digits, no leading zero.
OBJECTIVE_CODE = re.compile(r"[1-9][0-9]*\.[1-9][0-9]*")
ANSWER_SEPARATORS = re.compile(r"[\s,;/]+")


def option_column(letter: str) -> str:
    return f"option-{letter.lower()}"


def explanation_column(letter: str) -> str:
    return f"explanation-{letter.lower()}"


def header_for(letters: str, *, difficulty: bool = False) -> list[str]:
    """The header row for questions using choices ``letters`` (at least A-D).

    ``difficulty`` adds the optional difficulty column after the answer.
    """
    return [
        ID_COLUMN,
        DOMAIN_COLUMN,
        TEXT_COLUMN,
        *(option_column(letter) for letter in letters),
        *(explanation_column(letter) for letter in letters),
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


@dataclass(frozen=True, slots=True)
class ChoiceData:
    letter: str
    text: str
    explanation: str
    is_correct: bool


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
        elif name not in REQUIRED_COLUMNS and name not in [*OPTIONAL_COLUMNS, DIFFICULTY_COLUMN]:
            problems.append(
                f"header: unknown column '{name}'; columns are "
                + ", ".join(
                    REQUIRED_COLUMNS[:-1]
                    + OPTIONAL_COLUMNS
                    + REQUIRED_COLUMNS[-1:]
                    + [DIFFICULTY_COLUMN]
                )
            )
        columns.setdefault(name, index)
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        problems.append("header: missing column(s) " + ", ".join(missing))
    if explanation_column("F") in columns and option_column("F") not in columns:
        problems.append("header: explanation-f without option-f")
    if explanation_column("E") in columns and option_column("E") not in columns:
        problems.append("header: explanation-e without option-e")
    if option_column("F") in columns and option_column("E") not in columns:
        problems.append("header: option-f without option-e")
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

    letters = [letter for letter in LETTERS if OPTION_COLUMNS[letter] in columns]
    options = {letter: value(OPTION_COLUMNS[letter]) for letter in letters}
    explanations = {letter: value(EXPLANATION_COLUMNS[letter]) for letter in letters}
    filled = [letter for letter in letters if options[letter]]
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

    raw_answer = value(ANSWER_COLUMN)
    correct = answer_letters(raw_answer)
    if not correct:
        problems.append(f"{ANSWER_COLUMN}: is empty; expected letters such as B or A,C")
    for letter in dict.fromkeys(correct):
        if letter not in LETTERS:
            problems.append(f"{ANSWER_COLUMN}: '{letter}' is not a letter A-F")
        elif letter not in filled:
            problems.append(
                f"{ANSWER_COLUMN}: {letter} has no option ({option_column(letter)} is empty)"
            )

    answer_problems = any(problem.startswith(ANSWER_COLUMN) for problem in problems)
    correct_set = set(correct)
    for problem in choices_check(text=text, letters=filled, correct=correct_set):
        if problem.field == "answer" and answer_problems:
            continue  # the letters themselves were wrong: said above
        column = {"choices": option_column(problem.letter or "A"), "text": TEXT_COLUMN}
        problems.append(f"{column.get(problem.field, ANSWER_COLUMN)}: {problem.message}")

    if problems:
        for problem in problems:
            yield RowProblem(line, problem)
        return
    yield QuestionRow(
        line=line,
        external_id=external_id,
        objective_code=code,
        text=text,
        choices=tuple(
            ChoiceData(letter, options[letter], explanations[letter], letter in correct_set)
            for letter in filled
        ),
        difficulty=DIFFICULTIES.get(raw_difficulty),
        difficulty_given=DIFFICULTY_COLUMN in columns,
    )


def write_question_rows(
    out: TextIO, letters: str, rows: Iterable[QuestionRow], *, difficulty: bool = False
) -> int:
    """Write a header for ``letters`` (A-D, A-E or A-F) and ``rows``; return the row count.

    Lines end with LF; fields are quoted only when needed. Several correct letters are
    written as ``A,C``. ``difficulty`` adds the difficulty column (a word, or empty).
    """
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header_for(letters, difficulty=difficulty))
    count = 0
    for row in rows:
        by_letter = {choice.letter: choice for choice in row.choices}
        empty = ChoiceData("", "", "", False)
        writer.writerow(
            [
                row.external_id,
                row.objective_code,
                row.text,
                *(by_letter.get(letter, empty).text for letter in letters),
                *(by_letter.get(letter, empty).explanation for letter in letters),
                ",".join(choice.letter for choice in row.choices if choice.is_correct),
                *([DIFFICULTY_WORDS.get(row.difficulty, "")] if difficulty else []),
            ]
        )
        count += 1
    return count
