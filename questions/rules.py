"""The rules of a question's choices and of what its stem says, stated once.

Used by the admin form, the CSV reader and the bank's quality report. Pure functions over
plain values: no database, no forms.

A question has at least two choices, lettered from A without gaps, and at least one of them
is correct. When its text says how many to pick ("(Choose TWO.)"), that number is the number
of correct choices: the learner would otherwise read "(Choose TWO.) (Choose THREE.)". The admin
and the importer refuse such a disagreement. A question with several correct choices whose
text does not say how many is accepted there (the question page adds "(Choose N.)" itself);
the bank's quality report (``questions.quality``) asks shipped questions to say it anyway.

Each problem names the letter it is about (or none), so each caller can place it: the CSV
reader on that option's column, the admin on the form.
"""

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from questions.models import LETTERS

NUMBER_WORDS = {2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE", 6: "SIX"}
_WORD_NUMBERS = {word: number for number, word in NUMBER_WORDS.items()}
# "(Choose TWO.)", "Choose two", "(choose THREE)": the way stems say how many answers to pick.
CHOOSE_PHRASE = re.compile(r"\bchoose\s+(two|three|four|five|six)\b", re.IGNORECASE)


def choose_word(count: int) -> str:
    """``2`` -> ``"TWO"``, as the real exams print it."""
    return NUMBER_WORDS.get(count, str(count))


def stated_answer_count(text: str) -> int | None:
    """How many answers the stem asks for ("Choose TWO" -> 2), or None when it does not say."""
    match = CHOOSE_PHRASE.search(text)
    return _WORD_NUMBERS[match.group(1).upper()] if match else None


def answer_count_disagreement(text: str, correct: int) -> str | None:
    """Why the stem's "Choose N" and the key disagree (no subject: "says ..."), or None."""
    stated = stated_answer_count(text)
    if stated is not None and stated != correct:
        return f"says 'Choose {choose_word(stated)}' but the key has {correct} correct answer(s)"
    return None


def answer_count_problem(text: str, correct: int) -> str | None:
    """For the quality report: a disagreement, or several correct answers the text hides.

    A question with one correct choice must not ask for several; a question with several must
    say exactly how many ("Choose TWO.").
    """
    if correct > 1 and stated_answer_count(text) is None:
        return (
            f"the key has {correct} correct answers but the text does not say "
            f"'(Choose {choose_word(correct)}.)'"
        )
    disagreement = answer_count_disagreement(text, correct)
    return f"the text {disagreement}" if disagreement else None


@dataclass(frozen=True)
class ChoiceProblem:
    """A broken rule. ``message`` has no subject: the caller names the place.

    ``field`` is ``"choices"`` (then ``letter`` is the choice at fault: "choice C is empty"),
    ``"answer"`` (the key as a whole) or ``"text"`` (the question's text).
    """

    field: str
    message: str
    letter: str = ""


def problem_sentence(problem: ChoiceProblem) -> str:
    """The problem as a sentence on its own, for a form: "Choice C is empty; ..."."""
    subject = {"choices": f"choice {problem.letter} ", "text": "the text "}.get(problem.field, "")
    sentence = subject + problem.message
    return sentence[0].upper() + sentence[1:] + "."


def choices_check(*, text: str, letters: Sequence[str], correct: Collection[str]) -> list:
    """Problems with a question whose choices have ``letters`` and ``correct`` among them.

    ``letters`` are the choices that have text, in any order; ``correct`` their correct
    letters. Returns ``ChoiceProblem``\\ s, empty when the question is sound.
    """
    problems = []
    ordered = sorted(letters)
    for position, letter in enumerate(ordered):
        if letter != LETTERS[position]:
            problems.append(
                ChoiceProblem(
                    "choices",
                    f"is empty but choice {letter} is filled; fill the choices from A without gaps",
                    LETTERS[position],
                )
            )
            break
    if len(ordered) < 2:
        problems.append(
            ChoiceProblem(
                "choices", "is empty; a question needs at least two choices", LETTERS[len(ordered)]
            )
        )
    right = [letter for letter in ordered if letter in set(correct)]
    if ordered and not right:
        problems.append(ChoiceProblem("answer", "no choice is marked correct; mark at least one"))
    disagreement = answer_count_disagreement(text, len(right)) if right else None
    if disagreement:
        problems.append(
            ChoiceProblem(
                "text", f"{disagreement} ({', '.join(right)}); make the text and the key agree"
            )
        )
    return problems


# Performance-based questions --------------------------------------------------------------
#
# An order question has 3-10 items, its key names every item once in the right sequence.
# A match question has 2-10 rows and a list of 2-8 values the rows share (each unique, case
# aside); its key gives each row exactly one of those values. A multiple-choice question has
# 2-10 options. No PBQ says "Choose N" (it has no options to count). Messages have no subject:
# the CSV reader puts them on a column, the admin on a field.

KINDS = ("choice", "order", "match")
ELEMENT_LIMITS = {"choice": (2, 10), "order": (3, 10), "match": (2, 10)}
ELEMENT_NAMES = {"choice": "option", "order": "item", "match": "row"}
VALUE_LIMITS = (2, 8)
VALUE_SEPARATOR = "|"


def values_split(raw: str) -> list[str]:
    """``"Allow | Deny"`` -> ``["Allow", "Deny"]`` (spaces around each value trimmed)."""
    if not raw.strip():
        return []
    return [value.strip() for value in raw.split(VALUE_SEPARATOR)]


def values_join(values) -> str:
    """The written form of a list of values: ``Allow | Deny``."""
    return f" {VALUE_SEPARATOR} ".join(values)


def element_count_problem(kind: str, count: int) -> str | None:
    """Why ``count`` elements are too few or too many for a question of ``kind``, or None."""
    low, high = ELEMENT_LIMITS[kind]
    name = ELEMENT_NAMES[kind]
    label = {"choice": "a multiple-choice", "order": "an order", "match": "a match"}[kind]
    if count < low and kind == "choice":
        return "a question needs at least two options"
    if count < low:
        return f"{label} question needs at least {low} {name}s; it has {count}"
    if count > high:
        return f"{label} question takes at most {high} {name}s; it has {count}"
    return None


def values_problems(values: list[str], *, max_length: int = 100) -> list[str]:
    """Why a match question's list of values is unusable (empty when it is sound)."""
    low, high = VALUE_LIMITS
    problems = []
    if any(not value for value in values):
        problems.append("a value is empty; separate the values with a single |")
    if not low <= len(values) <= high:
        problems.append(f"{len(values)} value(s); a match question takes {low} to {high}")
    seen: dict[str, str] = {}
    for value in values:
        if value and value.casefold() in seen:
            problems.append(f"'{value}' is listed twice")
        seen.setdefault(value.casefold(), value)
        if len(value) > max_length:
            problems.append(f"'{value[:20]}...' is longer than {max_length} characters")
    return problems


def order_key_problems(*, letters, key) -> list[str]:
    """Why ``key`` (letters in the order given) is not a sequence of every item in ``letters``."""
    problems = []
    items = list(letters)
    for letter in dict.fromkeys(key):
        if letter not in items:
            problems.append(f"'{letter}' is not an item of this question")
    repeated = sorted({letter for letter in key if key.count(letter) > 1})
    if repeated:
        problems.append(f"{', '.join(repeated)} appear(s) more than once; name each item once")
    missing = [letter for letter in items if letter not in key]
    if missing:
        problems.append(f"{', '.join(missing)} missing; the order must name every item once")
    return problems


def match_key_resolve(*, values, key, rows: int) -> tuple[list[str], list[str]]:
    """The key's values spelt as listed in ``values``, and the problems found.

    ``key`` holds one value per row (any case); each must be one of ``values``.
    """
    problems = []
    if len(key) != rows:
        problems.append(
            f"{len(key)} value(s) for {rows} rows; give one value per row, separated by |"
        )
    spelling = {value.casefold(): value for value in values}
    resolved = []
    for index, given in enumerate(key):
        found = spelling.get(given.casefold())
        if found is None:
            row = chr(ord("A") + index)
            problems.append(
                f"'{given}' (row {row}) is not one of the values: {', '.join(values)}"
                if given
                else f"row {row} has no value"
            )
        resolved.append(found or given)
    return resolved, problems


def pbq_text_problem(text: str, kind: str) -> str | None:
    """A PBQ whose stem says "Choose N": it has no options to choose."""
    stated = stated_answer_count(text)
    if kind != "choice" and stated is not None:
        label = {"order": "an order", "match": "a match"}[kind]
        return f"says 'Choose {NUMBER_WORDS[stated]}' but {label} question has no options to choose"
    return None


@dataclass(frozen=True)
class ExhibitBlock:
    """A piece of an exhibit: a table (``header`` and ``rows`` of cells) or preformatted text."""

    text: str = ""
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()

    @property
    def is_table(self):
        return bool(self.header)


def _is_table_line(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= 2 and stripped.startswith("|") and stripped.endswith("|")


def exhibit_blocks(exhibit: str) -> list[ExhibitBlock]:
    """Split an exhibit into tables and text: a run of lines that start and end with ``|`` is
    a table whose first line is the header row; other lines stay as they are written."""
    blocks: list[ExhibitBlock] = []
    lines = exhibit.split("\n") if exhibit.strip() else []
    index = 0
    while index < len(lines):
        start = index
        table = _is_table_line(lines[index])
        while index < len(lines) and _is_table_line(lines[index]) == table:
            index += 1
        run = lines[start:index]
        if table:
            cells = [tuple(cell.strip() for cell in line.strip()[1:-1].split("|")) for line in run]
            blocks.append(ExhibitBlock(header=cells[0], rows=tuple(cells[1:])))
        elif "\n".join(run).strip():
            blocks.append(ExhibitBlock(text="\n".join(run).strip("\n")))
    return blocks
