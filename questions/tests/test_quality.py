"""The bank's quality gate (questions.quality) and ``manage.py bank_report``."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from questions.csv_format import ChoiceData, QuestionRow
from questions.quality import ExamBlueprint, bank_figures, gate_failures, near_duplicate_pairs
from questions.tests.csvs import HEADER, row, write_csv

BLUEPRINT = ExamBlueprint(
    slug="security", code="SY0-701", current=True, weights={1: 50, 2: 50}, objectives=("1.1", "2.1")
)
TOPICS = [
    "firewall rules blocking inbound telnet",
    "certificate revocation checked by OCSP stapling",
    "phishing campaign against payroll staff",
    "salted password hashes stored with bcrypt",
    "tabletop exercise for ransomware response",
    "geofencing for mobile device management",
    "tokenization of card numbers in a database",
    "jump server for administrative access",
]


def question(n, *, code="1.1", correct="A", options=None, text=None, difficulty=None):
    options = options or [f"option {n} {letter}" for letter in "ABCD"]
    return QuestionRow(
        line=n + 1,
        external_id=f"Q-{n}",
        objective_code=code,
        text=text or f"{TOPICS[n % len(TOPICS)]}: {' '.join(f'w{n}x{k}' for k in range(8))}?",
        choices=tuple(
            ChoiceData(
                letter, option, f"Because option {letter} fits this case.", letter in correct
            )
            for letter, option in zip("ABCDEF", options, strict=False)
        ),
        difficulty=difficulty if difficulty is not None else n % 3 + 1,
        difficulty_given=True,
    )


def sound_bank(size=40):
    """A bank that passes every gate: letters rotate, domains split evenly, a few Choose TWO."""
    rows = []
    for n in range(size):
        code = "1.1" if n % 2 else "2.1"
        if n % 10 == 0:
            rows.append(
                question(
                    n,
                    code=code,
                    correct="AC",
                    options=[f"pick {n} {letter}" for letter in "ABCDE"],
                    text=f"Case {' '.join(f'w{n}x{k}' for k in range(8))}. (Choose TWO.)",
                )
            )
        else:
            rows.append(question(n, code=code, correct="ABCD"[n % 4]))
    return rows


def test_a_sound_bank_passes_every_gate():
    figures = bank_figures(blueprint=BLUEPRINT, rows=sound_bank())

    assert gate_failures(figures, min_questions=40, min_pbqs=0) == []
    assert figures.by_domain == {1: 20, 2: 20}
    assert figures.multi_answer == 4


def pbq(n, *, kind="order", code="1.1", text=None):
    """An order (items keyed by position) or match (rows keyed by value) question."""
    return QuestionRow(
        line=n + 1,
        external_id=f"P-{n}",
        objective_code=code,
        text=text or f"Arrange {' '.join(f'p{n}x{k}' for k in range(8))}.",
        kind=kind,
        values=("Allow", "Deny") if kind == "match" else (),
        difficulty=2,
        difficulty_given=True,
        choices=tuple(
            ChoiceData(
                letter,
                # The "correct" element is the longest: no multiple-choice gate may judge it.
                f"element {letter}" * (3 if letter == "A" else 1),
                f"Because element {letter} belongs there.",
                False,
                position=index if kind == "order" else None,
                value="Allow" if kind == "match" else "",
            )
            for index, letter in enumerate("ABC", start=1)
        ),
    )


def test_pbqs_are_counted_by_type_and_judged_by_no_multiple_choice_gate():
    pbqs = [pbq(n, kind="order" if n % 2 else "match", code="1.1") for n in range(12)]

    figures = bank_figures(blueprint=BLUEPRINT, rows=[*sound_bank(), *pbqs])

    assert gate_failures(figures, min_questions=40) == []
    assert figures.total == 40
    assert figures.by_kind == {"choice": 40, "order": 6, "match": 6}
    assert figures.by_domain == {1: 20, 2: 20}


def test_a_current_exam_with_fewer_than_twelve_pbqs_fails():
    pbqs = [pbq(n) for n in range(11)]

    failures = gate_failures(
        bank_figures(blueprint=BLUEPRINT, rows=[*sound_bank(), *pbqs]), min_questions=40
    )

    assert failures == ["11 performance-based questions, fewer than 12"]


def test_a_pbq_that_says_choose_n_or_lacks_explanations_fails():
    broken = pbq(0, text="Put the steps in order. (Choose TWO.)")
    unexplained = pbq(1)
    unexplained = QuestionRow(
        **{
            **{name: getattr(unexplained, name) for name in QuestionRow.__slots__},
            "choices": tuple(
                ChoiceData(c.letter, c.text, "", False, c.position) for c in unexplained.choices
            ),
        }
    )
    rows = [*sound_bank(), broken, unexplained, *(pbq(n) for n in range(2, 12))]

    failures = gate_failures(bank_figures(blueprint=BLUEPRINT, rows=rows), min_questions=40)

    assert failures == [
        "options without an explanation: P-1 A, P-1 B, P-1 C",
        "Choose-N mismatches: P-0: the text says 'Choose TWO' but an order question has no "
        "options to choose",
    ]


def test_too_few_questions_and_a_domain_off_its_weight_fail():
    rows = [question(n, code="1.1", correct="ABCD"[n % 4]) for n in range(30)]
    rows += [question(n, code="2.1", correct="ABCD"[n % 4]) for n in range(30, 40)]

    failures = gate_failures(bank_figures(blueprint=BLUEPRINT, rows=rows), min_questions=50)

    assert "40 questions, fewer than 50" in failures
    assert any(line.startswith("domain 1: 75.0% of the questions") for line in failures)


def test_a_letter_used_too_often_and_the_longest_option_giveaway_fail():
    rows = sound_bank()
    rows = [
        question(
            n,
            code=r.objective_code,
            correct="A",
            options=["the long and detailed correct option", "short", "brief", "tiny"],
        )
        if len([c for c in r.choices if c.is_correct]) == 1
        else r
        for n, r in enumerate(rows)
    ]

    failures = gate_failures(bank_figures(blueprint=BLUEPRINT, rows=rows), min_questions=40)

    assert any(line.startswith("correct letter A in 100.0%") for line in failures)
    assert any(line.startswith("the correct option is the longest in 90.0%") for line in failures)


def test_choose_n_mismatch_missing_explanation_and_all_of_the_above_are_named():
    rows = sound_bank()
    rows[1] = question(
        1, code="1.1", correct="AB", text="Which two controls apply? (Choose THREE.)"
    )
    rows[2] = QuestionRow(
        line=3,
        external_id="Q-2",
        objective_code="2.1",
        text="Which protocol encrypts web traffic?",
        choices=(
            ChoiceData("A", "TLS", "", True),
            ChoiceData("B", "All of the above", "It cannot be all of them.", False),
            ChoiceData("C", "FTP", "Wrong.", False),
            ChoiceData("D", "Telnet", "Telnet sends everything in clear text.", False),
        ),
        difficulty=2,
    )

    failures = gate_failures(bank_figures(blueprint=BLUEPRINT, rows=rows), min_questions=40)

    assert "options without an explanation: Q-2 A" in failures
    assert "explanations that are not a full sentence: Q-2 C" in failures
    assert "'all/none of the above' options: Q-2 B" in failures
    assert any("Q-1: the text says 'Choose THREE'" in line for line in failures)


def test_an_objective_under_the_minimum_and_missing_difficulty_fail():
    blueprint = ExamBlueprint(
        slug="security",
        code="SY0-701",
        current=True,
        weights={1: 50, 2: 50},
        objectives=("1.1", "1.2", "2.1"),
    )
    rows = sound_bank()
    rows[3] = question(3, code="1.2", correct="D", difficulty=0)

    failures = gate_failures(bank_figures(blueprint=blueprint, rows=rows), min_questions=40)

    assert "objectives with fewer than 4 questions: 1.2 (1)" in failures
    assert "1 question(s) without a difficulty" in failures


def test_a_reworded_stem_is_a_near_duplicate_and_a_different_question_is_not():
    rows = [
        question(1, text="Which port does LDAPS use to encrypt directory queries with TLS?"),
        question(2, text="LDAPS encrypts directory queries with TLS on which port?"),
        question(3, text="Which port does SMTP submission use for authenticated mail clients?"),
    ]

    assert near_duplicate_pairs(rows) == [("Q-1", "Q-2")]


def test_a_retired_exam_is_reported_but_not_gated():
    retired = ExamBlueprint(
        slug="a1101", code="220-1101", current=False, weights={1: 50}, objectives=("1.1",)
    )

    assert gate_failures(bank_figures(blueprint=retired, rows=[question(1)])) == []


@pytest.mark.django_db
def test_bank_report_on_files_prints_the_figures_and_exits_non_zero_on_a_failed_gate(tmp_path):
    path = write_csv(tmp_path / "security.csv", [row("S-1"), row("S-2", answer="B")])
    out = io.StringIO()

    with pytest.raises(CommandError, match="the quality gate failed for: security"):
        call_command("bank_report", str(path), stdout=out, stderr=io.StringIO())

    report = out.getvalue()
    assert report.startswith("security (SY0-701, current): 2 questions")
    assert "  by type: multiple choice 2, order 0, match 0" in report
    assert "  FAIL 2 questions, fewer than 300" in report
    assert "  FAIL 0 performance-based questions, fewer than 12" in report
    assert "  FAIL 2 question(s) without a difficulty" in report


@pytest.mark.django_db
def test_bank_report_refuses_a_file_the_import_would_refuse(tmp_path):
    path = write_csv(tmp_path / "security.csv", [row("S-1", text="")])
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 problem"):
        call_command("bank_report", str(path), stdout=io.StringIO(), stderr=err)

    assert err.getvalue().strip() == f"{path}:2: question-text: is empty"


@pytest.mark.django_db
def test_bank_report_reads_the_database_for_one_exam(tmp_path):
    call_command(
        "import_questions",
        str(write_csv(tmp_path / "network.csv", [row("N-1", domain="1.4")], header=HEADER)),
        stdout=io.StringIO(),
    )
    out = io.StringIO()

    with pytest.raises(CommandError):
        call_command("bank_report", "--exam", "network", stdout=out)

    assert out.getvalue().startswith("network (N10-009, current): 1 questions")
