"""The inbox's conversation search index (see conversations/search_index.py).

SQLite: an FTS5 table whose rowid is the conversation id, columns `customer` and `content`
holding space-separated filtering terms; the "ascii" tokenizer only splits on ASCII
non-alphanumerics, so our (letters and digits only) terms reach the index whole.
PostgreSQL: stripped tsvectors built from term arrays, one GIN index over both columns.
No foreign key, as for knowledge_search: Django's test flush truncates only its own tables;
searches join conversations, so a row left behind never shows. Documents are built by the
services from now on; `lagniappe reindex` builds them for conversations stored before.
"""

from django.db import migrations

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE conversation_search USING fts5(customer, content, tokenize = 'ascii')"
)
POSTGRES_CREATE = [
    "CREATE TABLE conversation_search ("
    " conversation_id bigint PRIMARY KEY,"
    " customer tsvector NOT NULL,"
    " content tsvector NOT NULL)",
    "CREATE INDEX conversation_search_document ON conversation_search "
    "USING gin ((customer || content))",
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif vendor == "postgresql":
        for statement in POSTGRES_CREATE:
            schema_editor.execute(statement)
    else:
        raise RuntimeError(f"conversation search has no index for the {vendor} database")


def drop(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS conversation_search")


class Migration(migrations.Migration):
    dependencies = [("conversations", "0004_message_cc")]

    operations = [migrations.RunPython(create, drop)]
