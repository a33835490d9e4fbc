"""The rules of a question's choices, stated once for the admin form and the CSV reader.

A question has at least two choices, lettered from A without gaps, and at least one of them
is correct. When its text says how many to pick ("(Choose TWO.)"), that number is the number
of correct choices: the learner would otherwise read "(Choose TWO.)" on a question that takes
three. A question with several correct choices need not say so: the question page adds
"(Choose N.)" itself when the text does not.

Pure functions over plain values: no database, no forms. Each problem names the letter it is
about (or none), so each caller can place it: the CSV reader on that option's column, the admin
on the form.
"""

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from questions.models import LETTERS

NUMBER_WORDS = {1: "ONE", 2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE", 6: "SIX"}
_WORD_NUMBERS = {word: number for number, word in NUMBER_WORDS.items()}
# "(Choose TWO.)", "Choose 2", "choose three": the number a stem asks for.
CHOOSE = re.compile(r"\bchoose\s+(" + "|".join(NUMBER_WORDS.values()) + r"|\d+)\b", re.I)


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


def choose_word(count: int) -> str:
    """``2`` -> ``"TWO"``, as the real exams print it."""
    return NUMBER_WORDS.get(count, str(count))


def choose_count(text: str) -> int | None:
    """How many choices the text asks for, or ``None`` when it does not say."""
    match = CHOOSE.search(text)
    if match is None:
        return None
    said = match.group(1).upper()
    return int(said) if said.isdigit() else _WORD_NUMBERS[said]


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
    said = choose_count(text)
    if right and said is not None and said != len(right):
        problems.append(
            ChoiceProblem(
                "text",
                f"says (Choose {choose_word(said)}.) but {len(right)} choice"
                f"{'s are' if len(right) != 1 else ' is'} correct ({', '.join(right)}); "
                "make the text and the key agree",
            )
        )
    return problems
