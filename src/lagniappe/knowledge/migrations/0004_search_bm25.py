"""BM25 on PostgreSQL: every indexed document also stores its length in tokens.

BM25 normalises a term's frequency by the document's length against the mean length; FTS5
keeps those sizes itself, a tsvector does not. Rows indexed before this migration get their
length from the highest token position of their tsvector (exact below 16,383 tokens).
SQLite needs nothing: FTS5's bm25() has every statistic.
"""

from django.db import migrations

POSTGRES_ADD = [
    "ALTER TABLE knowledge_search ADD COLUMN length integer NOT NULL DEFAULT 0",
    "UPDATE knowledge_search SET length = coalesce("
    "(SELECT max(p) FROM unnest(document) AS u(lexeme, positions, weights),"
    " unnest(u.positions) AS p), 0)",
]


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_ADD:
            schema_editor.execute(statement)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE knowledge_search DROP COLUMN length")


class Migration(migrations.Migration):
    # After the portal's feedback models (0003), which do not touch the index.
    dependencies = [("knowledge", "0003_feedback_searchlog")]

    operations = [migrations.RunPython(add, remove)]
