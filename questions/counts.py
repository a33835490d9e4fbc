"""Counts and figures kept by the database: ``Exam.bank_size``, ``Question.correct_count`` and
the current item analysis figures on the question (``Question.stat_*``).

``Exam.bank_size`` (active questions) is shown by the catalogue and the home page on every
request, and ``Question.correct_count`` (correct choices) is what the admin question list
filters and sorts by; counting 100,000 questions or 400,000 choices each time made those pages
grow with the bank. Every way a row changes (the importer, the admin, a factory in a test, raw
SQL) goes through the table, so triggers keep the counts, in the writer's transaction:
PostgreSQL with one statement-level trigger per operation (a bulk import adds once per
statement, from the transition table), SQLite with row triggers. A statement that moves no
count (an edit of a question's text) writes nothing to the parent row.

The item analysis figures (``KeptFigures``) are copied from the question's current
``ItemStat`` row (``is_current``; at most one per question), so the admin list filters and
sorts 100,000 questions by them with an index scan of the question table instead of a join
with every question's figures.

Each item analysis row keeps its question's exam and question id (``KeptKeys``), so an exam's
item analysis page reads one index of that table instead of joining every row to the question
table to filter and sort: the writer sets them, and an edit of the question (moved to another
exam, its id changed) is carried onto its rows.

``counts_install`` runs after every ``migrate`` (see ``apps.py``): it (re)creates the triggers,
which a migration that rebuilds a table on SQLite would drop, and recounts. On SQLite the
triggers exist only between migrations (``counts_uninstall`` runs before ``migrate``): a
trigger on the choices names the questions' table, and SQLite refuses to rebuild a table
(create, copy, drop, rename) while another table's trigger names it.
"""

from dataclasses import dataclass


def _postgres_triggers(name: str, table: str, *, inserted: str, deleted: str, updated: str):
    """One statement-level function and its three triggers on ``table``, each operation
    running its SQL (which reads the ``new_rows`` and ``old_rows`` transition tables)."""
    return f"""
CREATE OR REPLACE FUNCTION {name}_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN {inserted};
    ELSIF TG_OP = 'DELETE' THEN {deleted};
    ELSE {updated};
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER {name}_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {name}_sync();
CREATE OR REPLACE TRIGGER {name}_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {name}_sync();
CREATE OR REPLACE TRIGGER {name}_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {name}_sync();
"""


def _sqlite_drop(name: str) -> tuple[str, ...]:
    return tuple(f"DROP TRIGGER IF EXISTS {name}_{op}" for op in ("insert", "delete", "update"))


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
        apply += " FROM ({}) d WHERE p.id = d.parent_id"
        return _postgres_triggers(
            c.name,
            c.child,
            inserted=apply.format(added),
            deleted=apply.format(removed),
            updated=apply.format(moved),
        )

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
        return _sqlite_drop(self.name)

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


@dataclass(frozen=True)
class KeptFigures:
    """The parent's ``columns`` copied from its child row that has ``flag`` set (or NULL)."""

    name: str
    child: str
    fk: str
    flag: str
    parent: str
    columns: tuple[tuple[str, str], ...]  # (parent column, child column)

    def _postgres_refresh(self, ids: str) -> str:
        """Set the parents whose id ``ids`` (a query of ``fk``) lists from their flagged child
        row, NULL without one: one join."""
        c = self
        assigned = ", ".join(f"{mine} = x.{theirs}" for mine, theirs in c.columns)
        read = ", ".join(f"k.{theirs}" for _, theirs in c.columns)
        # Only the rows whose figures change are written (a recount rewrites nothing else).
        mine = ", ".join(f"p.{mine}" for mine, _ in c.columns)
        theirs = ", ".join(f"x.{theirs}" for _, theirs in c.columns)
        return (
            f"UPDATE {c.parent} p SET {assigned} FROM (SELECT ids.{c.fk} AS parent_id, {read} "
            f"FROM ({ids}) ids LEFT JOIN {c.child} k ON k.{c.fk} = ids.{c.fk} AND k.{c.flag}) x "
            f"WHERE p.id = x.parent_id AND ({mine}) IS DISTINCT FROM ({theirs})"
        )

    def _sqlite_refresh(self, ids: str) -> str:
        """The same on SQLite, for the parents whose id is among ``ids`` (values or a query)."""
        c = self
        assigned = ", ".join(
            f"{mine} = (SELECT x.{theirs} FROM {c.child} x WHERE x.{c.fk} = {c.parent}.id "
            f"AND x.{c.flag})"
            for mine, theirs in c.columns
        )
        return f"UPDATE {c.parent} SET {assigned} WHERE id IN ({ids})"

    def postgres(self) -> str:
        c = self
        added = f"SELECT {c.fk} FROM new_rows WHERE {c.flag}"
        removed = f"SELECT {c.fk} FROM old_rows WHERE {c.flag}"
        return _postgres_triggers(
            c.name,
            c.child,
            inserted=c._postgres_refresh(added),
            deleted=c._postgres_refresh(removed),
            updated=c._postgres_refresh(f"{added} UNION {removed}"),
        )

    def sqlite(self) -> tuple[str, ...]:
        c = self
        return (
            f"""CREATE TRIGGER IF NOT EXISTS {c.name}_insert AFTER INSERT ON {c.child}
            WHEN NEW.{c.flag} BEGIN {c._sqlite_refresh(f"NEW.{c.fk}")}; END""",
            f"""CREATE TRIGGER IF NOT EXISTS {c.name}_delete AFTER DELETE ON {c.child}
            WHEN OLD.{c.flag} BEGIN {c._sqlite_refresh(f"OLD.{c.fk}")}; END""",
            f"""CREATE TRIGGER IF NOT EXISTS {c.name}_update AFTER UPDATE ON {c.child}
            WHEN OLD.{c.flag} OR NEW.{c.flag}
            BEGIN {c._sqlite_refresh(f"OLD.{c.fk}, NEW.{c.fk}")}; END""",
        )

    def sqlite_drop(self) -> tuple[str, ...]:
        return _sqlite_drop(self.name)

    def recount(self, vendor: str) -> str:
        ids = f"SELECT id AS {self.fk} FROM {self.parent}"
        if vendor == "postgresql":
            return self._postgres_refresh(ids)
        return self._sqlite_refresh(ids)

    def present(self, names: set[str]) -> bool:
        return all(mine in names for mine, _ in self.columns)


KEPT_FIGURES = (
    KeptFigures(
        "questions_current_stat",
        "questions_itemstat",
        "question_id",
        "is_current",
        "questions_question",
        (
            ("stat_facility", "facility"),
            ("stat_discrimination", "discrimination"),
            ("stat_flagged", "flagged"),
        ),
    ),
)


@dataclass(frozen=True)
class KeptKeys:
    """The child rows' ``columns`` copied from their parent row whenever the parent's change.

    A row trigger on both databases, run only for a parent row whose columns did change (its
    ``WHEN``): a statement trigger would compare every row of a bulk update (the figures
    copied onto 100,000 questions, say) to find none.
    """

    name: str
    parent: str
    child: str
    fk: str
    columns: tuple[str, ...]

    def _changed(self, differ: str) -> str:
        """``differ``: the null-safe "not equal", ``IS DISTINCT FROM`` on PostgreSQL and
        ``IS NOT`` on SQLite (whose ``IS DISTINCT FROM`` is new in 3.39)."""
        return " OR ".join(f"OLD.{column} {differ} NEW.{column}" for column in self.columns)

    def _follow(self) -> str:
        c = self
        assigned = ", ".join(f"{column} = NEW.{column}" for column in c.columns)
        return f"UPDATE {c.child} SET {assigned} WHERE {c.fk} = NEW.id"

    def postgres(self) -> str:
        c = self
        return f"""
CREATE OR REPLACE FUNCTION {c.name}_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {c._follow()};
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER {c.name}_update AFTER UPDATE OF {", ".join(c.columns)} ON {c.parent}
    FOR EACH ROW WHEN ({c._changed("IS DISTINCT FROM")}) EXECUTE FUNCTION {c.name}_sync();
"""

    def sqlite(self) -> tuple[str, ...]:
        c = self
        return (
            f"""CREATE TRIGGER IF NOT EXISTS {c.name}_update
            AFTER UPDATE OF {", ".join(c.columns)} ON {c.parent} WHEN {c._changed("IS NOT")}
            BEGIN {c._follow()}; END""",
        )

    def sqlite_drop(self) -> tuple[str, ...]:
        return _sqlite_drop(self.name)

    def recount(self, vendor: str) -> str:
        """Recopy every child's columns (only the rows that differ are written). SQLite gets
        correlated subqueries, as ``KeptFigures`` does, not ``UPDATE ... FROM`` (3.33)."""
        c = self
        if vendor == "postgresql":
            assigned = ", ".join(f"{column} = p.{column}" for column in c.columns)
            mine = ", ".join(f"k.{column}" for column in c.columns)
            theirs = ", ".join(f"p.{column}" for column in c.columns)
            return (
                f"UPDATE {c.child} AS k SET {assigned} FROM {c.parent} AS p "
                f"WHERE k.{c.fk} = p.id AND ({mine}) IS DISTINCT FROM ({theirs})"
            )
        parent = f"FROM {c.parent} p WHERE p.id = {c.child}.{c.fk}"
        assigned = ", ".join(f"{column} = (SELECT p.{column} {parent})" for column in c.columns)
        differ = " OR ".join(f"p.{column} IS NOT {c.child}.{column}" for column in c.columns)
        return f"UPDATE {c.child} SET {assigned} WHERE EXISTS (SELECT 1 {parent} AND ({differ}))"

    def present(self, names: set[str]) -> bool:
        return all(column in names for column in self.columns)


KEPT_KEYS = (
    KeptKeys(
        "questions_stat_keys",
        "questions_question",
        "questions_itemstat",
        "question_id",
        ("exam_id", "external_id"),
    ),
)


def counts_present(*, connection) -> bool:
    """Whether every kept count's and figure's column exists (not after migrating back to
    before them)."""
    with connection.cursor() as cursor:

        def names(table):
            return {c.name for c in connection.introspection.get_table_description(cursor, table)}

        return (
            all(kept.column in names(kept.parent) for kept in KEPT_COUNTS)
            and all(kept.present(names(kept.parent)) for kept in KEPT_FIGURES)
            and all(kept.present(names(kept.child)) for kept in KEPT_KEYS)
        )


def counts_install(*, connection) -> None:
    """Create (or replace) the triggers and recount; idempotent."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        for kept in (*KEPT_COUNTS, *KEPT_FIGURES, *KEPT_KEYS):
            for statement in (kept.postgres(),) if vendor == "postgresql" else kept.sqlite():
                cursor.execute(statement)
        for kept in KEPT_COUNTS:
            cursor.execute(kept.recount())
        for kept in (*KEPT_FIGURES, *KEPT_KEYS):
            cursor.execute(kept.recount(vendor))


def counts_uninstall(*, connection) -> None:
    """SQLite: drop the triggers, so that a migration may rebuild the tables they name."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for kept in (*KEPT_COUNTS, *KEPT_FIGURES, *KEPT_KEYS):
            for statement in kept.sqlite_drop():
                cursor.execute(statement)
