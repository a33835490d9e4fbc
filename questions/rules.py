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
