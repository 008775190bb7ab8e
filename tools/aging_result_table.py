"""Storage of the aging results: unlogged tables without foreign keys.

A run writes one row per open item (about 200,000 on a large ledger) and one per
customer. With a foreign key per Many2one, PostgreSQL fires a trigger per row and
per key, which costs more than computing the aging itself. The result models are
therefore ``_auto = False`` and their tables are created here from the fields:
UNLOGGED (transient data, no WAL), no foreign keys, an index on the run.
Referential integrity holds by construction: the rows are written from existing
records by one statement and die with their run.
"""

from odoo.tools import SQL


def ensure_result_table(model):
    """Create the table of ``model`` (or add missing columns) from its stored fields."""
    cr = model.env.cr
    columns = [
        (name, field.column_type[1])
        for name, field in model._fields.items()
        if field.store and field.column_type and name != "id"
    ]
    cr.execute(
        SQL(
            "CREATE UNLOGGED TABLE IF NOT EXISTS %s (id SERIAL PRIMARY KEY, %s)",
            SQL.identifier(model._table),
            SQL(", ").join(
                SQL("%s %s", SQL.identifier(name), SQL(ctype)) for name, ctype in columns
            ),
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
