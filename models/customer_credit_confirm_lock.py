from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL

from ..tools.credit_check import group_lock_keys
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
        pairs = sorted(set(pairs))
        # Credit groups first (members of one group are checked one at a time), then the
        # customers, each in id order: every check takes its locks in one order.
        memberships = self._credit_lock_groups(pairs)
        for company_id, partner_id in pairs:
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
        return memberships

    @api.model
    def _credit_lock_groups(self, pairs):
        """Advisory lock and row update of the credit groups of the (company id,
        partner id) pairs, in id order (see ``customer.credit.group._credit_touch_lock``).

        Returns {company id: the memberships the check reads} (see
        ``customer.credit.group.member._memberships_around``), read once for both."""
        by_company = {}
        for company_id, partner_id in pairs:
            by_company.setdefault(company_id, set()).add(partner_id)
        result = {}
        for company_id in sorted(by_company):
            company = self.env["res.company"].browse(company_id)
            partner_ids = by_company[company_id]
            memberships = self.env["customer.credit.group.member"]._memberships_around(
                company, partner_ids
            )
            result[company_id] = memberships
            groups = (
                self.env["customer.credit.group"]
                .sudo()
                .browse({memberships[pid] for pid in partner_ids if pid in memberships})
            )
            for group in groups.sorted("id"):
                self.env.execute_query(
                    SQL(
                        "SELECT pg_advisory_xact_lock(%s, %s)",
                        *group_lock_keys(company_id, group.id),
                    )
                )
            groups._credit_touch_lock()
        return result
