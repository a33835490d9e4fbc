"""Writes to the question bank: importing CSV files, revisions, learners' problem reports.

The import runs in two passes over each file so that memory stays bounded by the batch size
whatever the file size:

1. *check*: parse and validate every row of every file (format, exam, domain, ids repeated)
   while keeping only the question ids seen. Any problem stops the run before it writes.
2. *write*: in one transaction for the whole run, re-read the files and upsert them in batches
   with a fixed number of queries per batch: two reads, then at most one delete, one bulk
   insert of questions, one update of questions, one of choices, and a few multi-row inserts
   of choices (see ``_update_in_place`` and ``_insert_choices`` for why not the ORM there).

On PostgreSQL the files are read once: the check hands each row that passes to a ``COPY``
into a temporary table, and the write is a few set-based statements on the server
(``questions.import_postgres``), with the same rules, counts and messages.

Questions are matched by (exam, question-id) and their choices by letter, and both are updated
in place, so the primary keys that attempts hold (including the choice ids stored in their JSON
fields) stay valid. Only a choice whose letter disappears from the file is deleted. A question
whose text, choices or key changed (or that is new) gets a new revision (``QuestionRevision``)
in the same batch: one read of its choices and one bulk insert, whatever the batch holds.

Reports (``report_submit``, ``report_resolve``): one open report per learner and question (a
partial unique constraint), at most ``REPORTS_PER_HOUR`` per learner (counted in the database,
so the limit holds across processes and restarts and tests inject the time), never on a
question held back by the learner's open simulation. ``REVIEW_THRESHOLD`` distinct learners
with an open report flag the question ``needs_review``.
"""

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import batched
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, reset_queries, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Profile
from questions.csv_format import ChoiceData, QuestionRow, RowProblem, read_question_rows
from questions.models import (
    Choice,
    Domain,
    Exam,
    ItemStat,
    Objective,
    Question,
    QuestionReport,
    QuestionRevision,
)
from questions.revisions import SNAPSHOT_CHOICE_FIELDS, snapshot_build, snapshot_differs

DEFAULT_BATCH_SIZE = 1000
# Rows per multi-row INSERT of choices: 5 parameters each stays far below every backend's limit.
INSERT_CHUNK = 2000
CHOICE_COLUMNS = ["question", "letter", "text", "explanation", "is_correct", "position", "value"]
QUESTION_FIELDS = [
    "revision_number",
    "objective",
    "domain",
    "text",
    "kind",
    "exhibit",
    "match_values",
    "is_active",
    "difficulty",
    "updated_at",
]

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
    sources = _exam_sources(paths, exam_slug)
    domains = _exam_domains(sources)
    summaries = [FileSummary(source.label, source.exam.slug) for source in sources]
    first_summary = {}
    for source, summary in zip(sources, summaries, strict=True):
        first_summary.setdefault(source.exam.pk, summary)
    import_set = _import_postgres if connection.vendor == "postgresql" else _import_batches
    try:
        retired = import_set(
            sources=sources,
            domains=domains,
            summaries=summaries,
            first_summary=first_summary,
            dry_run=dry_run,
            retire_missing=retire_missing,
            batch_size=batch_size,
            progress=progress,
        )
    except IntegrityError as error:
        # Another writer changed the bank between the check and the write (for example two
        # imports at once): the transaction is rolled back and the run can simply be repeated.
        raise QuestionImportError(
            [f"the bank changed during the import, nothing was imported; run it again ({error})"]
        ) from error
    return ImportReport(files=summaries, retired=retired, dry_run=dry_run)


def _import_batches(
    *, sources, domains, summaries, first_summary, dry_run, retire_missing, batch_size, progress
) -> dict[str, int]:
    """Check every file, then read them again and write them batch by batch from Python."""
    seen, needed_objectives = _check(sources, domains)
    retired: dict[str, int] = {}
    with _atomic_unless(dry_run):
        writer = _Writer(dry_run=dry_run, reactivate=retire_missing)
        for exam_id, codes in needed_objectives.items():
            created = writer.prepare_objectives(
                exam_id=exam_id, codes=codes, domains=domains[exam_id]
            )
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
    return retired


def _import_postgres(
    *, sources, domains, summaries, first_summary, dry_run, retire_missing, batch_size, progress
) -> dict[str, int]:
    """Check every file while COPY sends the rows that pass to the server, then let it write
    them in a few statements per file (``questions.import_postgres``). A dry run plans the
    same way and rolls back."""
    from questions import import_postgres

    retired: dict[str, int] = {}
    with transaction.atomic():
        rows = import_postgres.RowsCopy()
        with rows:
            _seen, needed_objectives = _check(
                sources,
                domains,
                sink=lambda index, n, row: rows.write(index, n, sources[index].exam.pk, row),
            )
        writer = _Writer(dry_run=dry_run, reactivate=retire_missing)
        for exam_id, codes in needed_objectives.items():
            created = writer.prepare_objectives(
                exam_id=exam_id, codes=codes, domains=domains[exam_id]
            )
            first_summary[exam_id].objectives_created = created
        plan = import_postgres.PlanWriter(
            now=writer.now, dry_run=dry_run, reactivate=retire_missing
        )
        # A progress bar moves batch by batch; without one each file is one batch.
        size = batch_size if progress else import_postgres.WHOLE_FILE
        batches = plan.plan(batch_size=size)
        for index, (source, summary) in enumerate(zip(sources, summaries, strict=True)):
            for first in range(0, source.rows, size):
                done = min(first + size, source.rows)
                batch = batches.get((index, first // size))
                if batch is not None:
                    summary.created += batch.new
                    summary.updated += batch.changed
                    if not dry_run:
                        plan.write(batch)
                summary.unchanged = done - summary.created - summary.updated
                if progress:
                    progress(source.label, done, source.rows)
        if retire_missing:
            for source in sources:
                if source.exam.slug not in retired:
                    retired[source.exam.slug] = plan.retire_missing(exam_id=source.exam.pk)
        plan.close()
        if dry_run:
            transaction.set_rollback(True)
    return retired


def question_files_read(
    *, paths: Sequence[str | Path], exam_slug: str | None = None
) -> list[tuple[Exam, str, list[QuestionRow]]]:
    """Read and check CSV files as the import does, writing nothing: (exam, file, rows) each.

    Raises ``QuestionImportError`` with the import's messages when a file would be refused,
    so a report on files judges exactly what ``import_questions`` would load.
    """
    sources = _exam_sources(paths, exam_slug)
    _check(sources, _exam_domains(sources))
    return [(source.exam, source.label, list(_valid_rows(source))) for source in sources]


def _exam_sources(paths: Sequence[str | Path], exam_slug: str | None) -> list[_Source]:
    """The files named (folders expanded), each with its exam (``exam_slug`` or its name)."""
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
    return sources


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


def _exam_domains(sources: list[_Source]) -> dict[int, dict[int, int]]:
    """Exam id -> domain number -> domain id, for the exams of ``sources`` (one query)."""
    domains: dict[int, dict[int, int]] = {source.exam.pk: {} for source in sources}
    for exam_id, number, pk in Domain.objects.filter(exam_id__in=list(domains)).values_list(
        "exam_id", "number", "pk"
    ):
        domains[exam_id][number] = pk
    return domains


def _check(
    sources: list[_Source],
    domains: dict[int, dict[int, int]],
    sink: Callable[[int, int, QuestionRow], None] | None = None,
) -> tuple[dict[int, dict[str, int]], dict[int, set[str]]]:
    """Pass 1: validate every row of every file; keep only ids and objective codes.

    Returns, per exam id, the question ids seen and the objective codes used. An id maps to
    where it was seen, packed in one int (file index << 32 | line) to keep the dict small.
    ``sink`` receives each row that passes (file index, its number among them from 1, row);
    it may write them somewhere, but nothing may count as imported before this returns.
    """
    problems: list[str] = []
    seen: dict[int, dict[str, int]] = defaultdict(dict)
    codes: dict[int, set[str]] = defaultdict(set)
    for index, source in enumerate(sources):
        exam = source.exam
        ids = seen[exam.pk]
        for item in _read(source, set(domains[exam.pk])):
            if isinstance(item, RowProblem):
                problems.append(f"{source.label}:{item.line}: {item.message}")
                continue
            previous = ids.get(item.external_id)
            if previous is not None:
                file_index, line = divmod(previous, 1 << 32)
                place = (
                    f"line {line}" if file_index == index else f"{sources[file_index].label}:{line}"
                )
                problems.append(
                    f"{source.label}:{item.line}: question-id: '{item.external_id}' "
                    f"is already used on {place}"
                )
            else:
                ids[item.external_id] = (index << 32) | item.line
                codes[exam.pk].add(item.objective_code)
                source.rows += 1
                if sink is not None:
                    sink(index, source.rows, item)
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

    def prepare_objectives(
        self, *, exam_id: int, codes: Iterable[str], domains: dict[int, int]
    ) -> list[str]:
        """Create objectives not yet known under their domain (``domains``: number -> id);
        return the codes created."""
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
        """Upsert one batch: 2 reads, then at most 5 writes, and a revision read and insert when
        something a learner sees changed, however many rows it holds.

        Both reads clear the models' default ordering: it would join every choice to its
        question and exam and sort them, per batch, so a re-import grew with the square of
        the bank.
        """
        objectives = self.objectives[exam.pk]
        existing = {
            question.external_id: question
            for question in Question.objects.filter(
                exam=exam, external_id__in=[row.external_id for row in rows]
            )
            .only("pk", "external_id", *QUESTION_FIELDS[:-1])
            .order_by()
        }
        # Plain tuples, not model instances: most rows of a re-import are unchanged.
        choices: dict[int, dict[str, tuple]] = defaultdict(dict)
        if existing:
            for pk, question_id, letter, *key in (
                Choice.objects.filter(
                    question_id__in=[question.pk for question in existing.values()]
                )
                .order_by()
                .values_list("pk", "question_id", "letter", *CHOICE_COLUMNS[2:])
            ):
                choices[question_id][letter] = (pk, *key)

        new_questions: list[tuple[Question, QuestionRow]] = []
        changed_questions: list[Question] = []
        new_choices: list[tuple[int, ChoiceData]] = []
        changed_choices: list[Choice] = []
        gone_choices: list[int] = []
        revised: list[Question] = []  # what a learner sees changed: a new revision
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
                            kind=row.kind,
                            exhibit=row.exhibit,
                            match_values=list(row.values),
                            difficulty=row.difficulty,
                        ),
                        row,
                    )
                )
                continue
            changed = content_changed = question.text != row.text
            if (question.objective_id, question.text) != (objective_id, row.text):
                changed = True
                question.objective_id = None if objective_id is self.NEW else objective_id
                question.domain_id = domain_id
                question.text = row.text
            shape = (row.kind, row.exhibit, list(row.values))
            if (question.kind, question.exhibit, question.match_values) != shape:
                changed = content_changed = True
                question.kind, question.exhibit, question.match_values = shape
            if row.difficulty_given and question.difficulty != row.difficulty:
                changed = True
                question.difficulty = row.difficulty
            if self.reactivate and not question.is_active:
                changed = True
                question.is_active = True
            current = choices[question.pk]
            for data in row.choices:
                choice = current.pop(data.letter, None)
                if choice is None:
                    changed = content_changed = True
                    new_choices.append((question.pk, data))
                elif choice[1:] != (
                    data.text,
                    data.explanation,
                    data.is_correct,
                    data.position,
                    data.value,
                ):
                    changed = content_changed = True
                    changed_choices.append(
                        Choice(
                            pk=choice[0],
                            text=data.text,
                            explanation=data.explanation,
                            is_correct=data.is_correct,
                            position=data.position,
                            value=data.value,
                        )
                    )
            if current:
                changed = content_changed = True
                gone_choices.extend(choice[0] for choice in current.values())
            if content_changed:
                question.revision_number += 1
                revised.append(question)
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
                new_choices.extend((question.pk, data) for data in row.choices)
        if changed_questions:
            _update_in_place(changed_questions, QUESTION_FIELDS)
        if changed_choices:
            _update_in_place(changed_choices, CHOICE_COLUMNS[2:])
        if new_choices:
            _insert_choices(new_choices)
        revised.extend(question for question, _ in new_questions)
        if revised:
            revisions_snapshot(questions=revised, now=self.now)
        if settings.DEBUG:
            # DEBUG keeps every query's SQL; over 100,000 rows that alone would grow memory.
            reset_queries()

    def retire_missing(self, *, exam: Exam, keep: Collection[str]) -> int:
        """Retire the active questions of ``exam`` whose ids are not in ``keep``."""
        missing = [
            pk
            for pk, external_id in Question.objects.filter(exam=exam, is_active=True)
            .order_by()
            .values_list("pk", "external_id")
            .iterator(chunk_size=DEFAULT_BATCH_SIZE)
            if external_id not in keep
        ]
        if not self.dry_run:
            for pks in batched(missing, DEFAULT_BATCH_SIZE):
                Question.objects.filter(pk__in=pks).update(is_active=False, updated_at=self.now)
        return len(missing)


def _update_in_place(objs: Sequence, field_names: list[str]) -> None:
    """Save ``field_names`` of ``objs`` (one model) in one UPDATE ... FROM (VALUES ...).

    Django's ``bulk_update`` builds a ``CASE WHEN pk = ...`` per field, which costs time
    quadratic in the batch: 10,000 edited rows took a minute. PostgreSQL and SQLite 3.33+
    both join against a VALUES list instead, whose columns both name column1, column2, ...
    """
    model = type(objs[0])
    if connection.vendor not in {"postgresql", "sqlite"} or (
        connection.vendor == "sqlite" and connection.Database.sqlite_version_info < (3, 33)
    ):
        model._default_manager.bulk_update(objs, field_names)
        return
    fields = [model._meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = quote(model._meta.pk.column)
    # PostgreSQL types a VALUES column from its values: a column of NULLs alone (no question
    # of the batch has a difficulty) would be text, so each value is cast to its field's type.
    cast = (
        "CAST(v.column{index} AS {type})"
        if connection.vendor == "postgresql"
        else "v.column{index}"
    )
    assignments = ", ".join(
        f"{quote(field.column)} = " + cast.format(index=index, type=field.db_type(connection))
        for index, field in enumerate(fields, start=2)
    )
    row = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    params = []
    for obj in objs:
        params.append(obj.pk)
        params.extend(
            field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields
        )
    sql = (
        f"UPDATE {table} SET {assignments} "  # noqa: S608 - names from the model, values bound
        f"FROM (VALUES {', '.join([row] * len(objs))}) AS v WHERE {table}.{pk} = v.column1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _insert_choices(choices: list[tuple[int, ChoiceData]]) -> None:
    """Insert choices with multi-row INSERTs of at most ``INSERT_CHUNK`` rows.

    ``bulk_create`` builds a model instance and prepares each value through the ORM: for the
    4-6 choices of every question that was most of the import's time. Choices need no
    defaults nor returned ids, so plain rows do; the columns come from the model.
    """
    fields = [Choice._meta.get_field(name) for name in CHOICE_COLUMNS]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    boolean = fields[4]
    with connection.cursor() as cursor:
        for chunk in batched(choices, INSERT_CHUNK):
            params = []
            for question_id, data in chunk:
                params += [
                    question_id,
                    data.letter,
                    data.text,
                    data.explanation,
                    boolean.get_db_prep_save(data.is_correct, connection),
                    data.position,
                    data.value,
                ]
            cursor.execute(
                f"INSERT INTO {quote(Choice._meta.db_table)} ({columns}) "  # noqa: S608
                f"VALUES {', '.join([row] * len(chunk))}",
                params,
            )


# Revisions ---------------------------------------------------------------------------------


def revisions_snapshot(*, questions: Sequence[Question], now=None) -> list[QuestionRevision]:
    """Store revision ``question.revision_number`` of each question as it stands now.

    Two queries whatever the number of questions: one read of their choices, one insert. The
    caller has set ``revision_number`` (1 for a new question, one more for an edited one).
    """
    now = now or timezone.now()
    choices: dict[int, list[dict]] = {question.pk: [] for question in questions}
    for row in (
        Choice.objects.filter(question_id__in=list(choices))
        .order_by()
        .values("question_id", *SNAPSHOT_CHOICE_FIELDS)
    ):
        choices[row["question_id"]].append(row)
    return QuestionRevision.objects.bulk_create(
        QuestionRevision(
            question_id=question.pk,
            number=question.revision_number,
            created_at=now,
            snapshot=snapshot_build(
                text=question.text,
                choices=choices[question.pk],
                kind=question.kind,
                exhibit=question.exhibit or None,
                values=question.match_values,
            ),
        )
        for question in questions
    )


def question_revise(*, question: Question, now=None) -> QuestionRevision | None:
    """After an edit (the admin): a new revision when what a learner sees changed.

    Returns the new revision, or None when text, choices and key are as in the latest one.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Question.objects.select_for_update().only(
            "pk", "text", "kind", "exhibit", "match_values", "revision_number"
        )
        question_row = locked.get(pk=question.pk)
        latest = (
            QuestionRevision.objects.filter(question_id=question.pk).order_by("-number").first()
        )
        rows = Choice.objects.filter(question_id=question.pk).order_by()
        snapshot = snapshot_build(
            text=question_row.text,
            choices=rows.values(*SNAPSHOT_CHOICE_FIELDS),
            kind=question_row.kind,
            exhibit=question_row.exhibit or None,
            values=question_row.match_values,
        )
        if latest is not None and not snapshot_differs(latest.snapshot, snapshot):
            return None
        number = latest.number + 1 if latest is not None else 1
        revision = QuestionRevision.objects.create(
            question_id=question.pk, number=number, created_at=now, snapshot=snapshot
        )
        Question.objects.filter(pk=question.pk).update(revision_number=number)
    question.revision_number = number
    return revision


# Problem reports ---------------------------------------------------------------------------

REPORTS_PER_HOUR = 10
REVIEW_THRESHOLD = 3


class ReportRefused(Exception):
    """A rule refused the report; ``str(error)`` is shown to the learner, ``status`` is the
    HTTP status a view answers with."""

    status = 400


class ReportHeld(ReportRefused):
    """The question belongs to the learner's open simulation (nothing about it until then)."""

    status = 409


class ReportDuplicate(ReportRefused):
    """The learner already has an open report on this question."""

    status = 409


class ReportRateLimited(ReportRefused):
    status = 429


def report_submit(
    *,
    user,
    question_id: int,
    reason: str,
    comment: str = "",
    item_id: int | None = None,
    now=None,
) -> QuestionReport:
    """Record a learner's report of a problem with a question.

    ``item_id`` (an attempt item of the learner for that question: the feedback card or the
    review) records the attempt, the revision shown and the answer as stored; without it
    (the bookmarks page) the report points at the question's current revision. Raises
    ``Question.DoesNotExist`` / ``AttemptItem.DoesNotExist`` for what is not the learner's,
    and a ``ReportRefused`` for a question of the learner's open simulation, a second open
    report, or more than ``REPORTS_PER_HOUR`` reports in an hour.
    """
    from exams.models import AttemptItem
    from exams.selectors import questions_held

    now = now or timezone.now()
    reason = QuestionReport.Reason(reason)
    with transaction.atomic():
        # The profile row serialises one learner's reports, so the hourly count cannot race.
        Profile.objects.select_for_update().filter(user=user).values_list("pk").first()
        question = Question.objects.only("pk", "revision_number").get(pk=question_id)
        item = None
        if item_id is not None:
            item = AttemptItem.objects.only("pk", "revision_id", "selected", "attempt_id").get(
                pk=item_id, attempt__user=user, question_id=question.pk
            )
        if questions_held(user_id=user.pk).filter(question_id=question.pk).exists():
            raise ReportHeld(
                "This question is in your exam simulation in progress: report it once that "
                "simulation is submitted."
            )
        recent = QuestionReport.objects.filter(user=user, created_at__gt=now - timedelta(hours=1))
        if recent.count() >= REPORTS_PER_HOUR:
            raise ReportRateLimited(
                f"You have sent {REPORTS_PER_HOUR} reports in the last hour: thank you! "
                "Please wait a little before sending more."
            )
        revision_id = item.revision_id if item is not None else None
        if revision_id is None:
            revision_id = (
                QuestionRevision.objects.filter(
                    question_id=question.pk, number=question.revision_number
                )
                .values_list("pk", flat=True)
                .first()
            )
        try:
            with transaction.atomic():
                report = QuestionReport.objects.create(
                    user=user,
                    question_id=question.pk,
                    revision_id=revision_id,
                    attempt_item=item,
                    selected=list(item.selected) if item is not None else [],
                    reason=reason,
                    comment=comment.strip(),
                    created_at=now,
                )
        except IntegrityError:
            raise ReportDuplicate(
                "You have already reported this question; staff will answer that report."
            ) from None
        reporters = QuestionReport.objects.filter(
            question_id=question.pk, status=QuestionReport.Status.OPEN
        ).count()  # one open report per learner (a constraint): this counts learners
        if reporters >= REVIEW_THRESHOLD:
            Question.objects.filter(pk=question.pk, needs_review=False).update(needs_review=True)
    return report


def report_resolve(
    *, report_id: int, staff, status: str, reply: str = "", now=None
) -> tuple[QuestionReport, bool]:
    """Staff accept, fix or reject a report, with a reply the reporter reads.

    The reporter is told on their next visit (a counter on their profile, shown on the
    dashboard) and by email if they asked for it. Accepting (or fixing) a report awards the
    "bug hunter" badge. Fixing or rejecting the last open report of a question clears its
    ``needs_review`` flag. A report already closed (fixed or rejected) is left as it is:
    returns ``(report, False)``; ``(report, True)`` when it changed.
    """
    from gamification.services import report_accepted_record

    now = now or timezone.now()
    status = QuestionReport.Status(status)
    if status == QuestionReport.Status.OPEN:
        raise ReportRefused("A report is resolved as accepted, fixed or rejected.")
    accepted = (QuestionReport.Status.ACCEPTED, QuestionReport.Status.FIXED)
    with transaction.atomic():
        report = (
            QuestionReport.objects.select_for_update(of=("self",))
            .select_related("question")
            .get(pk=report_id)
        )
        closed = report.status in (QuestionReport.Status.FIXED, QuestionReport.Status.REJECTED)
        if closed or (report.status == status and report.staff_reply == reply.strip()):
            return report, False
        newly_accepted = report.status not in accepted and status in accepted
        report.status = status
        report.staff_reply = reply.strip()
        report.handled_at = now
        report.handled_by = staff
        report.save(update_fields=["status", "staff_reply", "handled_at", "handled_by"])
        Profile.objects.filter(user_id=report.user_id).update(
            report_replies_unseen=F("report_replies_unseen") + 1
        )
        if status != QuestionReport.Status.ACCEPTED:
            still_open = QuestionReport.objects.filter(
                question_id=report.question_id, status=QuestionReport.Status.OPEN
            ).exists()
            if not still_open:
                Question.objects.filter(pk=report.question_id).update(needs_review=False)
        if newly_accepted:
            report_accepted_record(user_id=report.user_id, at=now)
        wants_email = Profile.objects.filter(
            user_id=report.user_id, email_report_replies=True
        ).exists()
        if wants_email:
            transaction.on_commit(lambda: _report_reply_mail(report))
    return report, True


def _report_reply_mail(report: QuestionReport) -> None:
    from django.core.mail import send_mail

    question = report.question
    body = (
        f"Staff have answered the problem you reported on question {question.external_id}:\n\n"
        f"{report.get_status_display()}. {report.staff_reply}\n\n"
        'Sign in to Billings and open "Your reports" from your dashboard to read it there.\n'
    )
    send_mail(
        subject=f"Billings: your report on question {question.external_id}",
        message=body,
        from_email=None,
        recipient_list=[report.user.email],
    )


def report_replies_seen(*, user) -> None:
    """The learner opened their reports: the replies are no longer new."""
    Profile.objects.filter(user=user, report_replies_unseen__gt=0).update(report_replies_unseen=0)


# Item analysis -----------------------------------------------------------------------------


def item_stats_store(*, exam: Exam, min_responses: int = 30, now=None) -> list[ItemStat]:
    """Compute the item analysis of ``exam`` (practice and simulation apart) and keep it in
    ``ItemStat``, replacing the exam's previous figures. Returns the rows stored."""
    from questions import selectors
    from questions.item_analysis import item_stats_compute, responses_first

    now = now or timezone.now()
    keys = selectors.revision_keys(exam=exam)
    reports = selectors.open_report_counts(exam=exam)
    leeches = selectors.leeches_by_question(exam=exam)
    numbers = dict(
        QuestionRevision.objects.filter(question__exam=exam).order_by().values_list("pk", "number")
    )
    current, external_ids = {}, {}
    for pk, revision_number, external_id in (
        Question.objects.filter(exam=exam)
        .order_by()
        .values_list("pk", "revision_number", "external_id")
    ):
        current[pk], external_ids[pk] = revision_number, external_id
    rows: list[ItemStat] = []
    for mode in (ItemStat.Mode.PRACTICE, ItemStat.Mode.SIMULATION):
        responses = responses_first(selectors.item_rows(exam=exam, mode=mode))
        for stats in item_stats_compute(
            responses=responses,
            keys=keys,
            min_responses=min_responses,
            report_counts=reports,
            leeches=leeches,
        ):
            if stats.question_id not in external_ids:
                continue  # moved to another exam since: its figures are that exam's now
            rows.append(
                ItemStat(
                    question_id=stats.question_id,
                    exam_id=exam.pk,
                    external_id=external_ids[stats.question_id],
                    revision_id=stats.revision_id,
                    revision_number=numbers.get(stats.revision_id, 0),
                    mode=mode,
                    responses=stats.responses,
                    facility=stats.facility,
                    discrimination=stats.discrimination,
                    median_seconds=stats.median_seconds,
                    option_shares=stats.option_shares,
                    report_count=stats.report_count,
                    flags=stats.flags,
                    flagged=bool(stats.flags),
                    computed_at=now,
                )
            )
    # The row the admin list shows: the current revision, the mode with most responses.
    best: dict[int, ItemStat] = {}
    for row in rows:
        if row.revision_number != current.get(row.question_id):
            continue
        held = best.get(row.question_id)
        if held is None or row.responses > held.responses:
            best[row.question_id] = row
    for row in best.values():
        row.is_current = True
    with transaction.atomic():
        ItemStat.objects.filter(exam=exam).delete()
        # A question moved here from another exam since the last run keeps its rows' keys
        # in step (the trigger), so the first delete took them; none is left to clash.
        ItemStat.objects.bulk_create(rows, batch_size=1000)
    return rows
