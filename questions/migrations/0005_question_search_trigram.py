"""PostgreSQL: trigram indexes for the admin's question search (``UPPER(col) LIKE '%word%'``).

Django's admin searches with ``icontains``, which PostgreSQL compiles to ``UPPER(col) LIKE``;
a GIN trigram index on ``UPPER(col)`` serves it instead of reading all 100,000 texts. SQLite
has no such index and keeps scanning (its banks are small).
"""

from django.db import migrations

INDEXES = (
    ("questions_q_text_trgm", "text"),
    ("questions_q_external_id_trgm", "external_id"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON questions_question "
            f"USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("questions", "0004_kept_counts")]

    operations = [migrations.RunPython(create, drop)]
