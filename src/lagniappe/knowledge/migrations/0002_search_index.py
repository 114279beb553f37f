"""The search index: analyzer output (space-joined tokens) in a vendor-specific full-text table.

SQLite: an FTS5 table whose rowid is the translation id; the "ascii" tokenizer only splits on
ASCII non-alphanumerics and leaves every non-ASCII character alone, so the tokens our
analyzers made reach the index unchanged.
PostgreSQL: a table with a weighted tsvector (title A, body D) built with the 'simple'
configuration over the same tokens, and a GIN index. No foreign key: Django's flush (tests)
truncates only its own tables, and a reference from this one would make that TRUNCATE fail;
searches join the translations, so a row left behind by a deleted translation never shows.
"""

from django.db import migrations

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE knowledge_search USING fts5(title, body, tokenize = 'ascii')"
)
POSTGRES_CREATE = [
    "CREATE TABLE knowledge_search ("
    " translation_id bigint PRIMARY KEY,"
    " document tsvector NOT NULL)",
    "CREATE INDEX knowledge_search_document ON knowledge_search USING gin (document)",
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif vendor == "postgresql":
        for statement in POSTGRES_CREATE:
            schema_editor.execute(statement)
    else:
        raise RuntimeError(f"knowledge search has no index for the {vendor} database")


def drop(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS knowledge_search")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
