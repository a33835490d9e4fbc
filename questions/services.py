"""Writes to the question bank: importing CSV files.

The import runs in two passes over each file so that memory stays bounded by the batch size
whatever the file size:

1. *check*: parse and validate every row of every file (format, exam, domain, ids repeated)
   while keeping only the question ids seen. Any problem stops the run before it writes.
2. *write*: in one transaction for the whole run, re-read the files and upsert them in batches
   with a fixed number of queries per batch (two reads, then bulk create / update / delete).

Questions are matched by (exam, question-id) and their choices by letter, and both are updated
in place, so the primary keys that attempts hold (including the choice ids stored in their JSON
fields) stay valid. Only a choice whose letter disappears from the file is deleted.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import batched
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, reset_queries, transaction
from django.utils import timezone

from questions.csv_format import QuestionRow, RowProblem, read_question_rows
from questions.models import Choice, Domain, Exam, Objective, Question

DEFAULT_BATCH_SIZE = 1000

# (file label, rows written so far, rows in the file)
ProgressCallback = Callable[[str, int, int], None]


class QuestionImportError(Exception):
    """The import found problems and wrote nothing. ``problems`` are ``file:line: message``."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s); nothing was imported")


@dataclass
class FileSummary:
    label: str
    exam_slug: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    objectives_created: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    files: list[FileSummary]
    # exam slug -> number of questions retired because their exam's files no longer hold them
    retired: dict[str, int]
    dry_run: bool


@dataclass
class _Source:
    path: Path
    label: str
    exam: Exam | None = None
    rows: int = 0


def questions_import(
    *,
    paths: Sequence[str | Path],
    exam_slug: str | None = None,
    dry_run: bool = False,
    retire_missing: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import question CSV files (or folders of them) into the bank, all or nothing.

    The exam of each file is ``exam_slug`` or else the file name (``security.csv``). Raises
    ``QuestionImportError`` listing every problem found; then nothing is written. With
    ``dry_run`` the report says what would change and nothing is written either. With
    ``retire_missing`` the files are the whole bank of their exams: questions absent from
    them are retired and questions present are made active again.
    """
    sources, problems = _sources(paths)
    exams = {exam.slug: exam for exam in Exam.objects.all()}
    if exam_slug is not None and exam_slug not in exams:
        raise QuestionImportError([f"unknown exam '{exam_slug}'; known exams: {_known(exams)}"])
    for source in sources:
        slug = exam_slug or source.path.stem.lower()
        source.exam = exams.get(slug)
        if source.exam is None:
            problems.append(
                f"{source.label}:1: unknown exam '{slug}' (from the file name); known exams: "
                f"{_known(exams)}; name the file after one or pass --exam"
            )
    if problems:
        raise QuestionImportError(problems)

    seen, needed_objectives = _check(sources)
    summaries = [FileSummary(source.label, source.exam.slug) for source in sources]
    first_summary = {}
    for source, summary in zip(sources, summaries, strict=True):
        first_summary.setdefault(source.exam.pk, summary)
    retired: dict[str, int] = {}
    try:
        with _atomic_unless(dry_run):
            writer = _Writer(dry_run=dry_run, reactivate=retire_missing)
            for exam_id, codes in needed_objectives.items():
                created = writer.prepare_objectives(exam_id=exam_id, codes=codes)
                first_summary[exam_id].objectives_created = created
            for source, summary in zip(sources, summaries, strict=True):
                for rows in batched(_valid_rows(source), batch_size):
                    writer.write_batch(exam=source.exam, rows=rows, summary=summary)
                    if progress:
                        done = summary.created + summary.updated + summary.unchanged
                        progress(source.label, done, source.rows)
            if retire_missing:
                for source in sources:
                    if source.exam.slug not in retired:
                        retired[source.exam.slug] = writer.retire_missing(
                            exam=source.exam, keep=seen[source.exam.pk]
                        )
    except IntegrityError as error:
        # Another writer changed the bank between the check and the write (for example two
        # imports at once): the transaction is rolled back and the run can simply be repeated.
        raise QuestionImportError(
            [f"the bank changed during the import, nothing was imported; run it again ({error})"]
        ) from error
    return ImportReport(files=summaries, retired=retired, dry_run=dry_run)


def _known(exams: dict[str, Exam]) -> str:
    return ", ".join(sorted(exams))


def _sources(paths: Sequence[str | Path]) -> tuple[list[_Source], list[str]]:
    """Expand folders into their ``*.csv`` files (sorted); drop files named twice."""
    sources: list[_Source] = []
    problems: list[str] = []
    resolved: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(
                child
                for child in path.iterdir()
                if child.is_file() and child.suffix.lower() == ".csv"
            )
            if not files:
                problems.append(f"{raw}: the folder holds no .csv file")
        elif path.is_file():
            files = [path]
        else:
            problems.append(f"{raw}: no such file or folder")
            continue
        for file in files:
            if file.resolve() not in resolved:
                resolved.add(file.resolve())
                sources.append(_Source(path=file, label=str(file)))
    return sources, problems


def _read(source: _Source, domains: set[int] | None = None) -> Iterator[QuestionRow | RowProblem]:
    with source.path.open(encoding="utf-8-sig", newline="") as stream:
        yield from read_question_rows(stream, exam=f"exam {source.exam.slug}", domains=domains)


def _check(sources: list[_Source]) -> tuple[dict[int, dict[str, str]], dict[int, set[str]]]:
    """Pass 1: validate every row of every file; keep only ids and objective codes.

    Returns, per exam id, the question ids seen (id -> where) and the objective codes used.
    """
    problems: list[str] = []
    seen: dict[int, dict[str, str]] = defaultdict(dict)
    codes: dict[int, set[str]] = defaultdict(set)
    domains: dict[int, set[int]] = {}
    for source in sources:
        exam = source.exam
        if exam.pk not in domains:
            domains[exam.pk] = set(
                Domain.objects.filter(exam=exam).values_list("number", flat=True)
            )
        ids = seen[exam.pk]
        for item in _read(source, domains[exam.pk]):
            if isinstance(item, RowProblem):
                problems.append(f"{source.label}:{item.line}: {item.message}")
                continue
            where = f"{source.label}:{item.line}"
            previous = ids.get(item.external_id)
            if previous is not None:
                place = previous.removeprefix(f"{source.label}:")
                place = f"line {place}" if place != previous else previous
                problems.append(
                    f"{where}: question-id: '{item.external_id}' is already used on {place}"
                )
            else:
                ids[item.external_id] = where
                codes[exam.pk].add(item.objective_code)
                source.rows += 1
    if problems:
        raise QuestionImportError(problems)
    return seen, codes


def _valid_rows(source: _Source) -> Iterator[QuestionRow]:
    for item in _read(source):
        if isinstance(item, RowProblem):
            # The file changed between the check and the write.
            raise QuestionImportError([f"{source.label}:{item.line}: {item.message}"])
        yield item


@contextmanager
def _atomic_unless(dry_run: bool):
    if dry_run:
        yield
    else:
        with transaction.atomic():
            yield


class _Writer:
    """Pass 2: upsert batches of valid rows. Only ever holds one batch in memory."""

    # Stands for an objective that a dry run would create (it has no id yet).
    NEW = object()

    def __init__(self, *, dry_run: bool, reactivate: bool):
        self.dry_run = dry_run
        # With --retire-missing the file is the whole bank: its questions are made active.
        self.reactivate = reactivate
        self.now = timezone.now()
        # exam id -> objective code -> (objective id or NEW, domain id)
        self.objectives: dict[int, dict[str, tuple[object, int]]] = {}

    def prepare_objectives(self, *, exam_id: int, codes: Iterable[str]) -> list[str]:
        """Create objectives not yet known under their domain; return the codes created."""
        domains = {domain.number: domain.pk for domain in Domain.objects.filter(exam_id=exam_id)}
        known = {
            code: (pk, domain_id)
            for code, pk, domain_id in Objective.objects.filter(
                domain__exam_id=exam_id
            ).values_list("code", "pk", "domain_id")
        }
        missing = sorted(
            (code for code in codes if code not in known),
            key=lambda code: tuple(int(part) for part in code.split(".")),
        )
        new = [
            Objective(
                domain_id=domains[int(code.split(".")[0])],
                code=code,
                sort_minor=int(code.split(".")[1]),
            )
            for code in missing
        ]
        if new and not self.dry_run:
            Objective.objects.bulk_create(new)
        for objective in new:
            known[objective.code] = (objective.pk or self.NEW, objective.domain_id)
        self.objectives[exam_id] = known
        return missing

    def write_batch(self, *, exam: Exam, rows: Sequence[QuestionRow], summary: FileSummary) -> None:
        """Upsert one batch: 2 reads, then at most 5 writes, however many rows it holds."""
        objectives = self.objectives[exam.pk]
        existing = {
            question.external_id: question
            for question in Question.objects.filter(
                exam=exam, external_id__in=[row.external_id for row in rows]
            ).only("pk", "external_id", "objective_id", "domain_id", "text", "is_active")
        }
        choices: dict[int, dict[str, Choice]] = defaultdict(dict)
        if existing:
            for choice in Choice.objects.filter(
                question_id__in=[question.pk for question in existing.values()]
            ):
                choices[choice.question_id][choice.letter] = choice

        new_questions: list[tuple[Question, QuestionRow]] = []
        changed_questions: list[Question] = []
        new_choices: list[Choice] = []
        changed_choices: list[Choice] = []
        gone_choices: list[int] = []
        for row in rows:
            objective_id, domain_id = objectives[row.objective_code]
            question = existing.get(row.external_id)
            if question is None:
                new_questions.append(
                    (
                        Question(
                            exam=exam,
                            external_id=row.external_id,
                            objective_id=None if objective_id is self.NEW else objective_id,
                            domain_id=domain_id,
                            text=row.text,
                        ),
                        row,
                    )
                )
                continue
            changed = False
            if (question.objective_id, question.text) != (objective_id, row.text):
                changed = True
                question.objective_id = None if objective_id is self.NEW else objective_id
                question.domain_id = domain_id
                question.text = row.text
            if self.reactivate and not question.is_active:
                changed = True
                question.is_active = True
            current = choices[question.pk]
            for data in row.choices:
                choice = current.pop(data.letter, None)
                if choice is None:
                    changed = True
                    new_choices.append(Choice(question_id=question.pk, **_choice_fields(data)))
                elif (choice.text, choice.explanation, choice.is_correct) != (
                    data.text,
                    data.explanation,
                    data.is_correct,
                ):
                    changed = True
                    choice.text, choice.explanation, choice.is_correct = (
                        data.text,
                        data.explanation,
                        data.is_correct,
                    )
                    changed_choices.append(choice)
            if current:
                changed = True
                gone_choices.extend(choice.pk for choice in current.values())
            if changed:
                question.updated_at = self.now
                changed_questions.append(question)

        summary.created += len(new_questions)
        summary.updated += len(changed_questions)
        summary.unchanged += len(rows) - len(new_questions) - len(changed_questions)
        if self.dry_run:
            return
        if gone_choices:
            Choice.objects.filter(pk__in=gone_choices).delete()
        if new_questions:
            Question.objects.bulk_create([question for question, _ in new_questions])
            for question, row in new_questions:
                new_choices.extend(
                    Choice(question_id=question.pk, **_choice_fields(data)) for data in row.choices
                )
        if changed_questions:
            Question.objects.bulk_update(
                changed_questions, ["objective", "domain", "text", "is_active", "updated_at"]
            )
        if changed_choices:
            Choice.objects.bulk_update(changed_choices, ["text", "explanation", "is_correct"])
        if new_choices:
            Choice.objects.bulk_create(new_choices)
        if settings.DEBUG:
            # DEBUG keeps every query's SQL; over 100,000 rows that alone would grow memory.
            reset_queries()

    def retire_missing(self, *, exam: Exam, keep: dict[str, str]) -> int:
        """Retire the active questions of ``exam`` whose ids are not in ``keep``."""
        missing = [
            pk
            for pk, external_id in Question.objects.filter(exam=exam, is_active=True)
            .values_list("pk", "external_id")
            .iterator(chunk_size=DEFAULT_BATCH_SIZE)
            if external_id not in keep
        ]
        if not self.dry_run:
            for pks in batched(missing, DEFAULT_BATCH_SIZE):
                Question.objects.filter(pk__in=pks).update(is_active=False, updated_at=self.now)
        return len(missing)


def _choice_fields(data) -> dict:
    return {
        "letter": data.letter,
        "text": data.text,
        "explanation": data.explanation,
        "is_correct": data.is_correct,
    }
