"""Rename res.partner.credit_policy to credit_control_policy (issue 10, coexistence with OCA).

OCA account_financial_risk defines res.partner.credit_policy as a Char: sharing the name
changed the column type and broke every partner read. Values are kept: the company-dependent
jsonb column, the field's metadata (tracking values, defaults and selection values point at
its ir_model_fields row) and its XML ids move to the new name.
"""

import logging

from odoo.tools import SQL

_logger = logging.getLogger(__name__)

OLD = "credit_policy"
NEW = "credit_control_policy"


def _column_type(cr, table, column):
    cr.execute(
        "SELECT data_type FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
        (table, column),
    )
    row = cr.fetchone()
    return row and row[0]


def migrate(cr, version):
    if not version or _column_type(cr, "res_partner", NEW):
        return
    old_type = _column_type(cr, "res_partner", OLD)
    if not old_type:
        return
    cr.execute(
        "SELECT 1 FROM ir_module_module WHERE name = 'account_financial_risk'"
        " AND state IN ('installed', 'to upgrade', 'to remove')"
    )
    if cr.fetchone():
        # OCA keeps its own credit_policy field (and the column): copy our values out of it.
        # A column OCA already converted to varchar holds our jsonb as text.
        cr.execute(SQL("ALTER TABLE res_partner ADD COLUMN %s jsonb", SQL.identifier(NEW)))
        cr.execute(
            SQL(
                "UPDATE res_partner SET %s = %s::text::jsonb WHERE %s::text LIKE '{%%'",
                SQL.identifier(NEW),
                SQL.identifier(OLD),
                SQL.identifier(OLD),
            )
        )
        # The shared ir_model_fields row stays OCA's Char: drop our claim and our selection values.
        cr.execute(
            "DELETE FROM ir_model_fields_selection WHERE field_id IN"
            " (SELECT id FROM ir_model_fields WHERE model = 'res.partner' AND name = %s)",
            (OLD,),
        )
        cr.execute(
            "DELETE FROM ir_model_data WHERE module = 'customer_credit' AND (name IN %s OR name LIKE %s)",
            (
                ("field_res_partner__credit_policy", "field_res_users__credit_policy"),
                "selection\\_\\_res\\_partner\\_\\_credit\\_policy\\_\\_%",
            ),
        )
        _logger.info("customer_credit: copied %s values into %s", OLD, NEW)
        return
    cr.execute(
        SQL(
            "ALTER TABLE res_partner RENAME COLUMN %s TO %s",
            SQL.identifier(OLD),
            SQL.identifier(NEW),
        )
    )
    cr.execute(
        "UPDATE ir_model_fields SET name = %s WHERE name = %s AND model IN ('res.partner', 'res.users')",
        (NEW, OLD),
    )
    cr.execute(
        "UPDATE ir_model_fields SET related = 'partner_id.' || %s"
        " WHERE model = 'res.users' AND name = %s AND related IS NOT NULL",
        (NEW, NEW),
    )
    for prefix in ("field_res_partner__", "field_res_users__", "selection__res_partner__"):
        cr.execute(
            "UPDATE ir_model_data SET name = %s || substr(name, %s)"
            " WHERE module = 'customer_credit' AND (name = %s OR name LIKE %s)",
            (prefix + NEW, len(prefix + OLD) + 1, prefix + OLD, prefix + OLD + "\\_\\_%"),
        )
    _logger.info("customer_credit: renamed res.partner.%s to %s", OLD, NEW)
