"""Storage of the aging results: tables without foreign keys.

A run writes one row per open item (about 200,000 on a large ledger) and one per
customer. With a foreign key per Many2one, PostgreSQL fires a trigger per row and
per key, which costs more than computing the aging itself. The result models are
therefore ``_auto = False`` and their tables are created here from the fields:
no foreign keys, an index on the run. Referential integrity holds by construction:
the rows are written from existing records by one statement and die with their run.

The open items are UNLOGGED (transient data, no WAL). The customer rows are logged:
they are few, and the downloads read them on a read replica (``db_replica_host``),
which cannot read an unlogged table; there the open items come from the ledger.
"""

from odoo.tools import SQL


def ensure_result_table(model, logged=False):
    """Create the table of ``model`` (or add missing columns) from its stored fields;
    ``logged``: written to the WAL, hence readable on a replica."""
    cr = model.env.cr
    columns = [
        (name, field.column_type[1])
        for name, field in model._fields.items()
        if field.store and field.column_type and name != "id"
    ]
    cr.execute(
        SQL(
            "CREATE %s TABLE IF NOT EXISTS %s (id SERIAL PRIMARY KEY, %s)",
            SQL("" if logged else "UNLOGGED"),
            SQL.identifier(model._table),
            SQL(", ").join(
                SQL("%s %s", SQL.identifier(name), SQL(ctype)) for name, ctype in columns
            ),
        )
    )
    cr.execute(SQL("SELECT relpersistence FROM pg_class WHERE oid = %s::regclass", model._table))
    if (cr.fetchone()[0] == "u") == logged:
        cr.execute(
            SQL(
                "ALTER TABLE %s SET %s",
                SQL.identifier(model._table),
                SQL("LOGGED" if logged else "UNLOGGED"),
            )
        )
    for name, ctype in columns:
        cr.execute(
            SQL(
                "ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s",
                SQL.identifier(model._table),
                SQL.identifier(name),
                SQL(ctype),
            )
        )
    # Tables created by an earlier version as regular Odoo tables: drop their keys.
    cr.execute(
        SQL(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
            model._table,
        )
    )
    for (name,) in cr.fetchall():
        cr.execute(
            SQL(
                "ALTER TABLE %s DROP CONSTRAINT %s",
                SQL.identifier(model._table),
                SQL.identifier(name),
            )
        )
    cr.execute(
        SQL(
            "CREATE INDEX IF NOT EXISTS %s ON %s (report_id)",
            SQL.identifier(f"{model._table}_report_id_index"),
            SQL.identifier(model._table),
        )
    )
