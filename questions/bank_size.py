"""``Exam.bank_size``: the number of active questions of each exam, kept by the database.

The catalogue and the home page show it on every request; counting 100,000 questions each
time made those pages grow with the bank. Every way a question changes (the importer, the
admin, a factory in a test, raw SQL) goes through the table, so triggers on
``questions_question`` keep the count, in the writer's transaction: PostgreSQL with one
statement-level trigger per operation (a bulk import adds once per statement, from the
transition table), SQLite with row triggers. A statement that changes no active count (an
edit of a question's text) writes nothing to the exam row.

``bank_sizes_install`` runs after every ``migrate`` (see ``apps.py``): it (re)creates the
triggers, which a migration that rebuilds the table on SQLite would drop, and recounts.
"""

POSTGRES = """
CREATE OR REPLACE FUNCTION questions_bank_size_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE questions_exam e SET bank_size = e.bank_size + d.n
        FROM (SELECT exam_id, count(*) AS n FROM new_rows WHERE is_active GROUP BY exam_id) d
        WHERE e.id = d.exam_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE questions_exam e SET bank_size = e.bank_size - d.n
        FROM (SELECT exam_id, count(*) AS n FROM old_rows WHERE is_active GROUP BY exam_id) d
        WHERE e.id = d.exam_id;
    ELSE
        UPDATE questions_exam e SET bank_size = e.bank_size + d.n
        FROM (
            SELECT exam_id, sum(n) AS n FROM (
                SELECT exam_id, 1 AS n FROM new_rows WHERE is_active
                UNION ALL
                SELECT exam_id, -1 AS n FROM old_rows WHERE is_active
            ) moved GROUP BY exam_id HAVING sum(n) <> 0
        ) d
        WHERE e.id = d.exam_id;
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER questions_bank_size_insert AFTER INSERT ON questions_question
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION questions_bank_size_sync();
CREATE OR REPLACE TRIGGER questions_bank_size_update AFTER UPDATE ON questions_question
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION questions_bank_size_sync();
CREATE OR REPLACE TRIGGER questions_bank_size_delete AFTER DELETE ON questions_question
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION questions_bank_size_sync();
"""

SQLITE = (
    """CREATE TRIGGER IF NOT EXISTS questions_bank_size_insert
    AFTER INSERT ON questions_question WHEN NEW.is_active
    BEGIN UPDATE questions_exam SET bank_size = bank_size + 1 WHERE id = NEW.exam_id; END""",
    """CREATE TRIGGER IF NOT EXISTS questions_bank_size_delete
    AFTER DELETE ON questions_question WHEN OLD.is_active
    BEGIN UPDATE questions_exam SET bank_size = bank_size - 1 WHERE id = OLD.exam_id; END""",
    """CREATE TRIGGER IF NOT EXISTS questions_bank_size_update
    AFTER UPDATE OF is_active, exam_id ON questions_question
    WHEN OLD.is_active <> NEW.is_active OR OLD.exam_id <> NEW.exam_id
    BEGIN
        UPDATE questions_exam SET bank_size = bank_size - OLD.is_active WHERE id = OLD.exam_id;
        UPDATE questions_exam SET bank_size = bank_size + NEW.is_active WHERE id = NEW.exam_id;
    END""",
)

RECOUNT = """
UPDATE questions_exam SET bank_size = (
    SELECT count(*) FROM questions_question q WHERE q.exam_id = questions_exam.id AND q.is_active
)
"""


def bank_sizes_install(*, connection) -> None:
    """Create (or replace) the triggers and recount every exam; idempotent."""
    statements = (POSTGRES,) if connection.vendor == "postgresql" else SQLITE
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        cursor.execute(RECOUNT)
