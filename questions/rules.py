"""Pure rules about what a question says of itself, shared by the importer, the admin and reports.

No database access here: these functions read plain text and counts.
"""

import re

NUMBER_WORDS = {2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE", 6: "SIX"}
_WORD_NUMBERS = {word: number for number, word in NUMBER_WORDS.items()}
# "(Choose TWO.)", "Choose two", "(choose THREE)": the way stems say how many answers to pick.
CHOOSE_PHRASE = re.compile(r"\bchoose\s+(two|three|four|five|six)\b", re.IGNORECASE)


def stated_answer_count(text: str) -> int | None:
    """How many answers the stem asks for ("Choose TWO" -> 2), or None when it does not say."""
    match = CHOOSE_PHRASE.search(text)
    return _WORD_NUMBERS[match.group(1).upper()] if match else None


def answer_count_problem(text: str, correct: int) -> str | None:
    """Why a stem and its key disagree on how many answers to choose, or None when they agree.

    A question with one correct choice must not ask for several; a question with several must
    say exactly how many ("Choose TWO."), or the learner cannot know.
    """
    stated = stated_answer_count(text)
    if correct > 1 and stated is None:
        word = NUMBER_WORDS.get(correct, str(correct))
        return f"the key has {correct} correct answers but the text does not say '(Choose {word}.)'"
    if stated is not None and stated != correct:
        word = NUMBER_WORDS.get(stated, str(stated))
        return f"the text says 'Choose {word}' but the key has {correct} correct answer(s)"
    return None
