"""The bank's quality gate: blueprint coverage and the giveaways a test-wise learner exploits.

Pure functions over ``QuestionRow`` values (from a CSV file through the importer's reader, or
from the database through the exporter's rows) and an ``ExamBlueprint``: no database access, so
``bank_report`` can judge files before they are imported. docs/CONTENT.md explains each gate.
"""

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

from questions.csv_format import QuestionRow
from questions.rules import answer_count_problem, pbq_text_problem

# The gates (docs/CONTENT.md, "The quality gate").
MIN_QUESTIONS = 300
MIN_PER_OBJECTIVE = 4
DOMAIN_TOLERANCE_POINTS = 3.0
MIN_MULTI_ANSWER_SHARE = 0.08
LETTER_SHARE_RANGE = (0.17, 0.33)
MAX_LONGEST_CORRECT_SHARE = 0.35
MIN_DIFFICULTY_SHARE = 0.10
# Performance-based questions (order, match) a current exam's bank must hold: a simulation
# opens with 3-6 of them, and a learner should not meet the same ones every sitting.
MIN_PBQS = 12
# An explanation shorter than this, or without a sentence's end, is not an explanation.
MIN_EXPLANATION_LENGTH = 25
NEAR_DUPLICATE_SIMILARITY = 0.6
RARE_WORD_CEILING = 60

GIVEAWAY_OPTION = re.compile(r"\b(all|none|both) of the (above|these|options)\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+(?:[.:/-][a-z0-9]+)*")
# Words every stem shares: they say nothing about what a question asks.
_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "best",
        "by",
        "can",
        "for",
        "from",
        "has",
        "have",
        "he",
        "her",
        "his",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "she",
        "should",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "was",
        "what",
        "when",
        "which",
        "while",
        "who",
        "will",
        "with",
        "following",
        "choose",
        "two",
        "three",
        "most",
        "first",
        "next",
        "likely",
        "user",
        "users",
        "company",
        "does",
        "do",
    ]
)


@dataclass(frozen=True, slots=True)
class ExamBlueprint:
    slug: str
    code: str
    current: bool
    # domain number -> published weight in percent
    weights: dict[int, int]
    objectives: tuple[str, ...]


@dataclass
class BankFigures:
    """What the gates judge. ``total`` and the figures of the multiple-choice gates (domains,
    objectives, letters, lengths, difficulty, Choose-N) count multiple-choice questions only;
    ``by_kind`` counts every type; explanations, giveaways and near-duplicates cover all."""

    blueprint: ExamBlueprint
    total: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_domain: dict[int, int] = field(default_factory=dict)
    by_objective: dict[str, int] = field(default_factory=dict)
    unknown_objectives: dict[str, int] = field(default_factory=dict)
    multi_answer: int = 0
    single_four: int = 0
    letters: dict[str, int] = field(default_factory=dict)
    longest_correct: int = 0
    difficulty: dict[str, int] = field(default_factory=dict)
    unexplained: list[str] = field(default_factory=list)
    thin_explanations: list[str] = field(default_factory=list)
    giveaway_options: list[str] = field(default_factory=list)
    choose_mismatches: list[str] = field(default_factory=list)
    near_duplicates: list[tuple[str, str]] = field(default_factory=list)

    def domain_share(self, number: int) -> float:
        return 100 * self.by_domain.get(number, 0) / self.total if self.total else 0.0

    def objectives_under(self, minimum: int) -> list[tuple[str, int]]:
        return [
            (code, self.by_objective.get(code, 0))
            for code in self.blueprint.objectives
            if self.by_objective.get(code, 0) < minimum
        ]


def bank_figures(*, blueprint: ExamBlueprint, rows: Sequence[QuestionRow]) -> BankFigures:
    """Count what the gates judge, for the questions ``rows`` of one exam."""
    kinds = Counter(row.kind for row in rows)
    figures = BankFigures(
        blueprint=blueprint,
        total=kinds["choice"],
        by_kind={kind: kinds[kind] for kind in ("choice", "order", "match")},
    )
    by_domain: Counter[int] = Counter()
    by_objective: Counter[str] = Counter()
    letters: Counter[str] = Counter()
    difficulty: Counter[str] = Counter()
    known = set(blueprint.objectives)
    for row in rows:
        for choice in row.choices:
            where = f"{row.external_id} {choice.letter}"
            explanation = choice.explanation.strip()
            if not explanation:
                figures.unexplained.append(where)
            elif len(explanation) < MIN_EXPLANATION_LENGTH or explanation[-1] not in ".!?)\"'":
                figures.thin_explanations.append(where)
            if GIVEAWAY_OPTION.search(choice.text):
                figures.giveaway_options.append(where)
        if row.kind != "choice":
            problem = pbq_text_problem(row.text, row.kind)
            if problem:
                figures.choose_mismatches.append(f"{row.external_id}: the text {problem}")
            continue
        by_domain[int(row.objective_code.split(".", 1)[0])] += 1
        by_objective[row.objective_code] += 1
        if row.objective_code not in known:
            figures.unknown_objectives[row.objective_code] = (
                figures.unknown_objectives.get(row.objective_code, 0) + 1
            )
        difficulty[{1: "easy", 2: "medium", 3: "hard"}.get(row.difficulty, "none")] += 1
        correct = [choice for choice in row.choices if choice.is_correct]
        if len(correct) > 1:
            figures.multi_answer += 1
        elif len(row.choices) == 4:
            figures.single_four += 1
            letters[correct[0].letter] += 1
        lengths = {choice.letter: len(choice.text) for choice in row.choices}
        others = [n for letter, n in lengths.items() if letter not in {c.letter for c in correct}]
        if others and min(lengths[c.letter] for c in correct) > max(others):
            figures.longest_correct += 1
        problem = answer_count_problem(row.text, len(correct))
        if problem:
            figures.choose_mismatches.append(f"{row.external_id}: {problem}")
    figures.by_domain = dict(by_domain)
    figures.by_objective = dict(by_objective)
    figures.letters = dict(letters)
    figures.difficulty = dict(difficulty)
    figures.near_duplicates = near_duplicate_pairs(rows)
    return figures


def stem_words(text: str) -> frozenset[str]:
    """The words that carry a stem's meaning (lower case, common words dropped)."""
    words = set()
    for word in _WORD.findall(text.lower()):
        if word in _STOP_WORDS:
            continue
        # A crude plural fold ("encrypts" and "encrypt" are one word to a reader).
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        words.add(word)
    return frozenset(words)


def near_duplicate_pairs(
    rows: Sequence[QuestionRow], *, threshold: float = NEAR_DUPLICATE_SIMILARITY
) -> list[tuple[str, str]]:
    """Pairs of question ids whose stems share most of their words (Jaccard >= threshold).

    Two stems that ask the same thing in other words share their technical terms, so the
    overlap of meaningful words finds them. Pairs are found through the words they share (an
    inverted index), so a bank of thousands is not compared pair by pair.
    """
    words = [stem_words(row.text) for row in rows]
    index: dict[str, list[int]] = defaultdict(list)
    for position, found in enumerate(words):
        for word in found:
            index[word].append(position)
    candidates: set[tuple[int, int]] = set()
    for positions in index.values():
        # A word found in many stems tells few questions apart; pairs come from rarer words,
        # then each candidate pair is judged on all its words.
        if len(positions) <= RARE_WORD_CEILING:
            candidates.update(combinations(positions, 2))
    pairs = []
    for first, second in candidates:
        union = len(words[first] | words[second])
        if union and len(words[first] & words[second]) / union >= threshold:
            pairs.append((rows[first].external_id, rows[second].external_id))
    return sorted(pairs)


def gate_failures(
    figures: BankFigures, *, min_questions: int = MIN_QUESTIONS, min_pbqs: int = MIN_PBQS
) -> list[str]:
    """What fails the gate, one line each; empty when the bank passes.

    Retired exams are reported but not gated: their banks are kept as admins hold them.
    """
    if not figures.blueprint.current:
        return []
    failures = []
    if figures.total < min_questions:
        failures.append(f"{figures.total} questions, fewer than {min_questions}")
    pbqs = figures.by_kind.get("order", 0) + figures.by_kind.get("match", 0)
    if pbqs < min_pbqs:
        failures.append(f"{pbqs} performance-based questions, fewer than {min_pbqs}")
    if not figures.total:
        return failures
    for number, weight in sorted(figures.blueprint.weights.items()):
        share = figures.domain_share(number)
        if abs(share - weight) > DOMAIN_TOLERANCE_POINTS:
            failures.append(
                f"domain {number}: {share:.1f}% of the questions, weight {weight}% "
                f"(allowed {DOMAIN_TOLERANCE_POINTS:g} points either way)"
            )
    under = figures.objectives_under(MIN_PER_OBJECTIVE)
    if under:
        listed = ", ".join(f"{code} ({count})" for code, count in under)
        failures.append(f"objectives with fewer than {MIN_PER_OBJECTIVE} questions: {listed}")
    if figures.unknown_objectives:
        listed = ", ".join(sorted(figures.unknown_objectives))
        failures.append(f"objectives not in the exam's blueprint: {listed}")
    if figures.multi_answer < MIN_MULTI_ANSWER_SHARE * figures.total:
        failures.append(
            f"multi-answer questions {100 * figures.multi_answer / figures.total:.1f}%, "
            f"fewer than {100 * MIN_MULTI_ANSWER_SHARE:g}%"
        )
    low, high = LETTER_SHARE_RANGE
    for letter in "ABCD":
        share = figures.letters.get(letter, 0) / figures.single_four if figures.single_four else 0
        if figures.single_four and not low <= share <= high:
            failures.append(
                f"correct letter {letter} in {100 * share:.1f}% of single-answer questions "
                f"(allowed {100 * low:g}-{100 * high:g}%)"
            )
    if figures.longest_correct > MAX_LONGEST_CORRECT_SHARE * figures.total:
        failures.append(
            f"the correct option is the longest in "
            f"{100 * figures.longest_correct / figures.total:.1f}% of questions "
            f"(at most {100 * MAX_LONGEST_CORRECT_SHARE:g}%)"
        )
    if figures.difficulty.get("none"):
        failures.append(f"{figures.difficulty['none']} question(s) without a difficulty")
    for level in ("easy", "medium", "hard"):
        if figures.difficulty.get(level, 0) < MIN_DIFFICULTY_SHARE * figures.total:
            failures.append(f"{level} questions under {100 * MIN_DIFFICULTY_SHARE:g}% of the bank")
    for label, found in (
        ("options without an explanation", figures.unexplained),
        ("explanations that are not a full sentence", figures.thin_explanations),
        ("'all/none of the above' options", figures.giveaway_options),
        ("Choose-N mismatches", figures.choose_mismatches),
    ):
        if found:
            failures.append(f"{label}: {', '.join(found)}")
    if figures.near_duplicates:
        listed = ", ".join(f"{a} ~ {b}" for a, b in figures.near_duplicates)
        failures.append(f"near-duplicate stems: {listed}")
    return failures


def report_lines(figures: BankFigures) -> list[str]:
    """The figures as a person reads them (the command adds the gate's verdict)."""
    blueprint = figures.blueprint
    total = figures.total or 1
    state = "current" if blueprint.current else "retired: figures only, no gate"
    lines = [f"{blueprint.slug} ({blueprint.code}, {state}): {figures.total} questions"]
    lines.append(
        "  by type: "
        + ", ".join(
            f"{label} {figures.by_kind.get(kind, 0)}"
            for kind, label in (
                ("choice", "multiple choice"),
                ("order", "order"),
                ("match", "match"),
            )
        )
        + f" (performance-based: at least {MIN_PBQS})"
    )
    for number, weight in sorted(blueprint.weights.items()):
        lines.append(
            f"  domain {number}: {figures.by_domain.get(number, 0):5d}  "
            f"{figures.domain_share(number):5.1f}%  (weight {weight}%)"
        )
    under = figures.objectives_under(MIN_PER_OBJECTIVE)
    lines.append(
        f"  objectives under {MIN_PER_OBJECTIVE}: "
        + (", ".join(f"{code} ({count})" for code, count in under) or "none")
    )
    lines.append(
        f"  multi-answer: {figures.multi_answer} ({100 * figures.multi_answer / total:.1f}%)"
    )
    single = figures.single_four or 1
    lines.append(
        "  correct letter (single answer, four options): "
        + "  ".join(
            f"{letter} {100 * figures.letters.get(letter, 0) / single:.1f}%" for letter in "ABCD"
        )
    )
    lines.append(f"  correct option strictly longest: {100 * figures.longest_correct / total:.1f}%")
    lines.append(
        "  difficulty: "
        + ", ".join(
            f"{level} {figures.difficulty.get(level, 0)}"
            for level in ("easy", "medium", "hard", "none")
        )
    )
    lines.append(f"  options without an explanation: {len(figures.unexplained)}")
    lines.append(f"  thin explanations: {len(figures.thin_explanations)}")
    lines.append(f"  Choose-N mismatches: {len(figures.choose_mismatches)}")
    lines.append(
        "  near-duplicate pairs: "
        + (", ".join(f"{a} ~ {b}" for a, b in figures.near_duplicates) or "none")
    )
    return lines
