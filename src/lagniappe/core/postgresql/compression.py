"""lz4 instead of pglz for the large values PostgreSQL compresses (TOAST).

Every mail is stored twice over in compressible columns: its raw source, then its text and
HTML. PostgreSQL compresses a value over ≈ 2 KB with pglz unless the column says otherwise,
≈ 60 µs of the server's CPU for a 5.5 KB mail on the 2-core machine, on the same cores as
the poller. lz4 compresses several times faster (and decompresses faster for whoever reads
the mail later) at a slightly lower ratio. It only applies to values written afterwards;
old rows keep pglz, and both are read transparently.

Only where the server was built with lz4 (`--with-lz4`, as Debian's and the PGDG packages
are): elsewhere the column keeps the server's default and the migration passes. SQLite has
no such setting.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import migrations


def lz4_for(app_label: str, model_name: str, fields: Sequence[str]) -> migrations.RunPython:
    """A migration operation setting these fields' columns to lz4 (back to the default when
    unapplied)."""

    def compression(method: str) -> Any:
        def apply(apps: Any, schema_editor: Any) -> None:
            if schema_editor.connection.vendor != "postgresql":
                return
            model = apps.get_model(app_label, model_name)
            table = schema_editor.quote_name(model._meta.db_table)
            for name in fields:
                column = schema_editor.quote_name(model._meta.get_field(name).column)
                # A server without lz4 refuses with feature_not_supported: keep its default.
                schema_editor.execute(
                    f"DO $$ BEGIN ALTER TABLE {table} ALTER COLUMN {column} "
                    f"SET COMPRESSION {method}; "
                    "EXCEPTION WHEN feature_not_supported THEN NULL; END $$"
                )

        return apply

    return migrations.RunPython(compression("lz4"), compression("default"), elidable=False)
