"""Counts kept by the database: ``Exam.bank_size`` and ``Question.correct_count``.

``Exam.bank_size`` (active questions) is shown by the catalogue and the home page on every
request, and ``Question.correct_count`` (correct choices) is what the admin question list
filters and sorts by; counting 100,000 questions or 400,000 choices each time made those pages
grow with the bank. Every way a row changes (the importer, the admin, a factory in a test, raw
SQL) goes through the table, so triggers keep the counts, in the writer's transaction:
PostgreSQL with one statement-level trigger per operation (a bulk import adds once per
statement, from the transition table), SQLite with row triggers. A statement that moves no
count (an edit of a question's text) writes nothing to the parent row.

``counts_install`` runs after every ``migrate`` (see ``apps.py``): it (re)creates the triggers,
which a migration that rebuilds a table on SQLite would drop, and recounts. On SQLite the
triggers exist only between migrations (``counts_uninstall`` runs before ``migrate``): a
trigger on the choices names the questions' table, and SQLite refuses to rebuild a table
(create, copy, drop, rename) while another table's trigger names it.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class KeptCount:
    name: str  # prefix of the trigger names
    child: str  # the counted table
    fk: str  # its column pointing at the parent
    flag: str  # the boolean column that makes a row count
    parent: str
    column: str  # the parent's count column

    def postgres(self) -> str:
        c = self
        moved = f"""
            SELECT {c.fk} AS parent_id, sum(n) AS n FROM (
                SELECT {c.fk}, 1 AS n FROM new_rows WHERE {c.flag}
                UNION ALL
                SELECT {c.fk}, -1 AS n FROM old_rows WHERE {c.flag}
            ) moved GROUP BY {c.fk} HAVING sum(n) <> 0"""
        per_parent = f"SELECT {c.fk} AS parent_id, {{}}count(*) AS n FROM {{}}_rows"
        per_parent += f" WHERE {c.flag} GROUP BY {c.fk}"
        added, removed = per_parent.format("", "new"), per_parent.format("-", "old")
        apply = f"UPDATE {c.parent} p SET {c.column} = p.{c.column} + d.n"
        apply += " FROM ({}) d WHERE p.id = d.parent_id;"
        return f"""
CREATE OR REPLACE FUNCTION {c.name}_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN {apply.format(added)}
    ELSIF TG_OP = 'DELETE' THEN {apply.format(removed)}
    ELSE {apply.format(moved)}
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER {c.name}_insert AFTER INSERT ON {c.child}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {c.name}_sync();
CREATE OR REPLACE TRIGGER {c.name}_update AFTER UPDATE ON {c.child}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {c.name}_sync();
CREATE OR REPLACE TRIGGER {c.name}_delete AFTER DELETE ON {c.child}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {c.name}_sync();
"""

    def sqlite(self) -> tuple[str, ...]:
        c = self
        add = f"UPDATE {c.parent} SET {c.column} = {c.column} + {{}} WHERE id = {{}};"
        return (
            f"""CREATE TRIGGER IF NOT EXISTS {c.name}_insert AFTER INSERT ON {c.child}
            WHEN NEW.{c.flag} BEGIN {add.format(1, f"NEW.{c.fk}")} END""",
            f"""CREATE TRIGGER IF NOT EXISTS {c.name}_delete AFTER DELETE ON {c.child}
            WHEN OLD.{c.flag} BEGIN {add.format(-1, f"OLD.{c.fk}")} END""",
            f"""CREATE TRIGGER IF NOT EXISTS {c.name}_update
            AFTER UPDATE OF {c.flag}, {c.fk} ON {c.child}
            WHEN OLD.{c.flag} <> NEW.{c.flag} OR OLD.{c.fk} <> NEW.{c.fk}
            BEGIN
                {add.format(f"-OLD.{c.flag}", f"OLD.{c.fk}")}
                {add.format(f"NEW.{c.flag}", f"NEW.{c.fk}")}
            END""",
        )

    def sqlite_drop(self) -> tuple[str, ...]:
        return tuple(
            f"DROP TRIGGER IF EXISTS {self.name}_{op}" for op in ("insert", "delete", "update")
        )

    def recount(self) -> str:
        c = self
        return f"""UPDATE {c.parent} SET {c.column} = (
            SELECT count(*) FROM {c.child} x WHERE x.{c.fk} = {c.parent}.id AND x.{c.flag})"""


KEPT_COUNTS = (
    KeptCount(
        "questions_bank_size",
        "questions_question",
        "exam_id",
        "is_active",
        "questions_exam",
        "bank_size",
    ),
    KeptCount(
        "questions_correct_count",
        "questions_choice",
        "question_id",
        "is_correct",
        "questions_question",
        "correct_count",
    ),
)


def counts_present(*, connection) -> bool:
    """Whether every kept count's column exists (not after migrating back to before them)."""
    with connection.cursor() as cursor:
        for kept in KEPT_COUNTS:
            columns = connection.introspection.get_table_description(cursor, kept.parent)
            if kept.column not in {column.name for column in columns}:
                return False
    return True


def counts_install(*, connection) -> None:
    """Create (or replace) the triggers and recount; idempotent."""
    with connection.cursor() as cursor:
        for kept in KEPT_COUNTS:
            if connection.vendor == "postgresql":
                cursor.execute(kept.postgres())
            else:
                for statement in kept.sqlite():
                    cursor.execute(statement)
            cursor.execute(kept.recount())


def counts_uninstall(*, connection) -> None:
    """SQLite: drop the triggers, so that a migration may rebuild the tables they name."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for kept in KEPT_COUNTS:
            for statement in kept.sqlite_drop():
                cursor.execute(statement)
