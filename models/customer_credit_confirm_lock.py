from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL

from ..tools.credit_check import lock_keys


class CustomerCreditConfirmLock(models.Model):
    """One row per (company, commercial partner), upserted by every credit-checked
    confirmation so that concurrent confirmations and invoice postings conflict (see :meth:`_credit_lock_pairs`)."""

    _name = "customer.credit.confirm.lock"
    _description = "Credit Check Serialisation Row"
    _log_access = False

    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade")
    locked_on = fields.Datetime()

    _sql_constraints = [
        (
            "company_partner_uniq",
            "unique(company_id, partner_id)",
            "One lock row per company and customer.",
        ),
    ]

    @api.model
    def _credit_lock_pairs(self, pairs):
        """Serialise credit checks per (company id, commercial partner id) until commit.

        The one lock of confirmations and invoice postings. The advisory lock orders
        concurrent checks; the upsert of the lock row makes a transaction whose snapshot
        predates the other's commit fail with a serialization error (Odoo retries the
        request, which then sees the new document): Odoo runs in REPEATABLE READ, where a
        lock alone would not refresh the snapshot.
        """
        for company_id, partner_id in sorted(set(pairs)):
            self.env.execute_query(
                SQL("SELECT pg_advisory_xact_lock(%s, %s)", *lock_keys(company_id, partner_id))
            )
            # A serialization failure here is expected under concurrency and retried
            # by Odoo: do not log it as a bad query.
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO customer_credit_confirm_lock (company_id, partner_id, locked_on)
                    VALUES (%s, %s, NOW() AT TIME ZONE 'UTC')
                    ON CONFLICT (company_id, partner_id)
                    DO UPDATE SET locked_on = EXCLUDED.locked_on
                    """,
                    company_id,
                    partner_id,
                ),
                log_exceptions=False,
            )
