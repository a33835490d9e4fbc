"""The importer's write pass on PostgreSQL: one COPY, then a few set-based statements.

``questions.services.questions_import`` keeps its rules and its check pass; on PostgreSQL the
rows that pass go to the server while they are checked (one ``COPY ... FROM STDIN`` into a
temporary table, written row by row, so memory stays flat), and the server does the rest:

1. ``plan`` (one statement): each row joined to its question (by exam and question-id) and
   objective; whether it is new, whether what a learner sees changed (text, type, exhibit,
   values, or a choice added, edited or gone: the question's choices and the row's, both as
   one JSON array in letter order) and whether anything else changed (objective, difficulty
   when the file gives it, reactivation with --retire-missing). The summary's counts are
   read from it, so a dry run says exactly what a run would do.
2. per file (or, with a progress bar, per batch of rows): delete the choices whose letter
   disappeared, insert the new questions (their ids drawn from the sequence by the plan),
   update the changed ones in place (a new ``revision_number`` when a learner sees
   something else), insert or update their choices (``ON CONFLICT ... DO UPDATE ... WHERE``
   something differs, so choice ids stay), and insert a ``QuestionRevision`` per new or
   revised question, its snapshot built by the server in the shape of
   ``questions.revisions.snapshot_build``. A batch skips the statements it has no rows for,
   so re-importing an unchanged file writes nothing.

The kept counts (``Exam.bank_size``, ``Question.correct_count``) follow through the tables'
statement triggers (``questions.counts``). New questions take every column the file does not
give from the model's defaults, except ``random_key``: ``random()`` per row.
"""

import json
from dataclasses import dataclass

from django.db import connection

from questions.csv_format import QuestionRow
from questions.models import Choice, Domain, Objective, Question, QuestionRevision

# A batch size that takes every row of a file at once.
WHOLE_FILE = 2**31 - 1
T = {
    "question": Question._meta.db_table,
    "choice": Choice._meta.db_table,
    "revision": QuestionRevision._meta.db_table,
    "objective": Objective._meta.db_table,
    "domain": Domain._meta.db_table,
}
ROWS_COLUMNS = (
    "file int, n int, exam_id bigint, external_id text, objective_code text, text text, "
    "kind text, exhibit text, match_values jsonb, difficulty smallint, "
    "difficulty_given boolean, letters text, choices jsonb"
)
# A row's choices and a question's, compared as one JSON array each: [letter, text,
# explanation, is_correct, position, value] per choice, in letter order.
STORED_CHOICES = """(
    SELECT jsonb_agg(jsonb_build_array(c.letter, c.text, c.explanation, c.is_correct,
                                       c.position, c.value) ORDER BY c.letter)
    FROM {choice} c WHERE c.question_id = q.id)"""
PLAN = """
CREATE TEMP TABLE import_plan AS
SELECT * FROM (
    SELECT i.*, o.id AS objective_id, o.domain_id,
        COALESCE(q.id, CASE WHEN %(assign)s THEN nextval(
            (SELECT pg_get_serial_sequence('{question}', 'id')::regclass)) END) AS question_id,
        q.id IS NULL AS new,
        q.id IS NOT NULL AND (
            q.text <> i.text OR q.kind <> i.kind OR q.exhibit <> i.exhibit
            OR q.match_values <> i.match_values
            OR i.choices IS DISTINCT FROM {stored_choices}
        ) AS content_changed,
        q.id IS NOT NULL AND (
            q.objective_id IS DISTINCT FROM o.id
            OR (i.difficulty_given AND q.difficulty IS DISTINCT FROM i.difficulty)
            OR (%(reactivate)s AND NOT q.is_active)
        ) AS moved
    FROM import_rows i
    LEFT JOIN {question} q ON q.exam_id = i.exam_id AND q.external_id = i.external_id
    LEFT JOIN ({objective} o JOIN {domain} d ON d.id = o.domain_id)
        ON d.exam_id = i.exam_id AND o.code = i.objective_code
) s
WHERE new OR content_changed OR moved
"""
# Rows of one file, numbered from 1, in (first, last].
BATCH = "p.file = %(file)s AND p.n > %(first)s AND p.n <= %(last)s"
DELETE_GONE_CHOICES = """
DELETE FROM {choice} c USING import_plan p
WHERE c.question_id = p.question_id AND p.content_changed AND {batch}
    AND strpos(p.letters, c.letter) = 0
"""
UPDATE_QUESTIONS = """
UPDATE {question} q SET objective_id = p.objective_id, domain_id = p.domain_id, text = p.text,
    kind = p.kind, exhibit = p.exhibit, match_values = p.match_values,
    difficulty = CASE WHEN p.difficulty_given THEN p.difficulty ELSE q.difficulty END,
    is_active = q.is_active OR %(reactivate)s,
    revision_number = q.revision_number + p.content_changed::int,
    updated_at = %(now)s
FROM import_plan p WHERE q.id = p.question_id AND NOT p.new AND {batch}
"""
INSERT_CHOICES = """
INSERT INTO {choice} ({columns})
SELECT {values}
FROM import_plan p CROSS JOIN LATERAL jsonb_array_elements(p.choices) e
WHERE {which} AND {batch}
"""
UPSERT_CHOICES = (
    INSERT_CHOICES
    + """ON CONFLICT (question_id, letter) DO UPDATE SET text = excluded.text,
    explanation = excluded.explanation, is_correct = excluded.is_correct,
    position = excluded.position, value = excluded.value
WHERE ({choice}.text, {choice}.explanation, {choice}.is_correct, {choice}.position,
       {choice}.value)
    IS DISTINCT FROM (excluded.text, excluded.explanation, excluded.is_correct,
                      excluded.position, excluded.value)
"""
)
# questions.revisions.snapshot_build, in SQL.
SNAPSHOT = """
jsonb_build_object(
    'type', q.kind, 'text', q.text, 'exhibit', NULLIF(q.exhibit, ''),
    'choices', COALESCE((
        SELECT jsonb_agg(
            jsonb_build_object('id', c.id, 'letter', c.letter, 'text', c.text,
                               'explanation', c.explanation, 'is_correct', c.is_correct)
            || CASE q.kind WHEN 'order' THEN jsonb_build_object('position', c.position)
                           WHEN 'match' THEN jsonb_build_object('value', c.value)
                           ELSE '{{}}'::jsonb END
            ORDER BY c.letter)
        FROM {choice} c WHERE c.question_id = q.id), '[]'::jsonb)
) || CASE WHEN q.kind = 'match' THEN jsonb_build_object('values', q.match_values)
          ELSE '{{}}'::jsonb END
"""
INSERT_REVISIONS = """
INSERT INTO {revision} (question_id, number, created_at, snapshot)
SELECT q.id, q.revision_number, %(now)s, {snapshot}
FROM import_plan p JOIN {question} q ON q.id = p.question_id
WHERE (p.new OR p.content_changed) AND {batch}
"""
MISSING = """
FROM {question} q WHERE q.exam_id = %(exam)s AND q.is_active
    AND NOT EXISTS (SELECT FROM import_rows i
                    WHERE i.exam_id = q.exam_id AND i.external_id = q.external_id)
"""
RETIRE = """
UPDATE {question} SET is_active = false, updated_at = %(now)s WHERE id IN (SELECT q.id {missing})
"""


def _sql(template: str, **names: str) -> str:
    return template.format(**T, **names).strip()


@dataclass
class BatchCounts:
    """What the plan holds for one batch of one file."""

    file: int
    first: int  # rows (first, last] of the file
    last: int
    new: int
    changed: int  # existing questions that change
    revised: int  # of which a learner sees something else


class RowsCopy:
    """Streams checked rows into the temporary table ``import_rows`` (one COPY)."""

    def __init__(self):
        self.cursor = connection.cursor()
        # The plan's estimated cost grows with the rows and turns on JIT compilation, which
        # took longer than the statements it compiled. Off until the end of the transaction.
        self.cursor.execute("SET LOCAL jit = off")
        self.cursor.execute(f"CREATE TEMP TABLE import_rows ({ROWS_COLUMNS})")
        self._copy = None

    def __enter__(self):
        self._copy = self.cursor.cursor.copy("COPY import_rows FROM STDIN")
        self._writer = self._copy.__enter__()
        return self

    def __exit__(self, *exc):
        try:
            return self._copy.__exit__(*exc)
        finally:
            self.cursor.close()

    def write(self, file: int, n: int, exam_id: int, row: QuestionRow) -> None:
        self._writer.write_row(
            (
                file,
                n,
                exam_id,
                row.external_id,
                row.objective_code,
                row.text,
                row.kind,
                row.exhibit,
                json.dumps(list(row.values), ensure_ascii=False),
                row.difficulty,
                row.difficulty_given,
                "".join(choice.letter for choice in row.choices),
                json.dumps(
                    [
                        [c.letter, c.text, c.explanation, c.is_correct, c.position, c.value]
                        for c in row.choices
                    ],
                    ensure_ascii=False,
                ),
            )
        )


class PlanWriter:
    """Plans the rows copied into ``import_rows`` and writes them, batch by batch."""

    def __init__(self, *, now, dry_run: bool, reactivate: bool):
        self.now = now
        self.dry_run = dry_run
        self.reactivate = reactivate
        self.cursor = connection.cursor()

    def plan(self, *, batch_size: int) -> dict[tuple[int, int], BatchCounts]:
        """Build ``import_plan`` (the rows to write); return its counts by (file, batch
        number) for batches of ``batch_size`` rows. A batch left out has nothing to write."""
        self.cursor.execute(
            _sql(PLAN, stored_choices=_sql(STORED_CHOICES)),
            {"assign": not self.dry_run, "reactivate": self.reactivate},
        )
        if batch_size < WHOLE_FILE:
            self.cursor.execute("CREATE INDEX ON import_plan (file, n)")
        self.cursor.execute(
            """SELECT file, (n - 1) / %(size)s AS batch, count(*) FILTER (WHERE new),
                   count(*) FILTER (WHERE NOT new), count(*) FILTER (WHERE content_changed)
               FROM import_plan GROUP BY 1, 2""",
            {"size": batch_size},
        )
        return {
            (file, batch): BatchCounts(
                file, batch * batch_size, (batch + 1) * batch_size, new, changed, revised
            )
            for file, batch, new, changed, revised in self.cursor.fetchall()
        }

    def write(self, batch: BatchCounts) -> None:
        """Write one batch of the plan; statements with no rows to touch are skipped."""
        params = {
            "file": batch.file,
            "first": batch.first,
            "last": batch.last,
            "now": self.now,
            "reactivate": self.reactivate,
        }

        def run(template: str, **names: str) -> None:
            self.cursor.execute(_sql(template, batch=BATCH, **names), params)

        if batch.revised:
            run(DELETE_GONE_CHOICES)
        if batch.new:
            columns, values, defaults = _new_question_columns()
            params.update(defaults)
            run(
                "INSERT INTO {question} ({columns}) SELECT {values} FROM import_plan p "
                "WHERE p.new AND {batch}",
                columns=columns,
                values=values,
            )
        if batch.changed:
            run(UPDATE_QUESTIONS)
        columns, values, defaults = _choice_columns()
        params.update(defaults)
        if batch.new:
            run(INSERT_CHOICES, which="p.new", columns=columns, values=values)
        if batch.revised:
            run(UPSERT_CHOICES, which="p.content_changed", columns=columns, values=values)
        if batch.new or batch.revised:
            run(INSERT_REVISIONS, snapshot=_sql(SNAPSHOT))

    def retire_missing(self, *, exam_id: int) -> int:
        """Retire the active questions of the exam that no file holds; return how many."""
        params = {"exam": exam_id, "now": self.now}
        if self.dry_run:
            self.cursor.execute(_sql("SELECT count(*) {missing}", missing=_sql(MISSING)), params)
            return self.cursor.fetchone()[0]
        self.cursor.execute(_sql(RETIRE, missing=_sql(MISSING)), params)
        return self.cursor.rowcount

    def close(self) -> None:
        self.cursor.execute("DROP TABLE import_rows, import_plan")
        self.cursor.close()


def _new_question_columns() -> tuple[str, str, dict]:
    """Columns of a new question, the SQL of each (from the plan row ``p``) and parameters."""
    return _columns(
        Question,
        {
            "id": "p.question_id",
            "exam_id": "p.exam_id",
            "domain_id": "p.domain_id",
            "objective_id": "p.objective_id",
            "external_id": "p.external_id",
            "text": "p.text",
            "kind": "p.kind",
            "exhibit": "p.exhibit",
            "match_values": "p.match_values",
            "difficulty": "p.difficulty",
            "random_key": "random()",
        },
    )


def _choice_columns() -> tuple[str, str, dict]:
    """Columns of a new choice, the SQL of each (from the plan row ``p`` and its choice ``e``)
    and parameters."""
    return _columns(
        Choice,
        {
            "question_id": "p.question_id",
            "letter": "e->>0",
            "text": "e->>1",
            "explanation": "e->>2",
            "is_correct": "(e->>3)::boolean",
            "position": "(e->>4)::smallint",
            "value": "e->>5",
        },
    )


def _columns(model, given: dict[str, str]) -> tuple[str, str, dict]:
    """``given`` and every other column of ``model`` with its default (``now`` for the
    timestamps), as a column list, a value list and the defaults' parameters."""
    columns, values, params = list(given), list(given.values()), {}
    for field in model._meta.concrete_fields:
        if field.column in given or field.primary_key:
            continue
        columns.append(field.column)
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values.append("%(now)s")
        else:
            name = f"default_{field.column}"
            values.append(f"%({name})s")
            params[name] = field.get_db_prep_save(field.get_default(), connection)
    return ", ".join(columns), ", ".join(values), params
