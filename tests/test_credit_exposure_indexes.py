from odoo import Command
from odoo import fields
from odoo.tests import TransactionCase
from odoo.tests import tagged
from odoo.tools.sql import index_exists

from ..tools.credit_exposure import EXPOSURE_INDEXES


@tagged("post_install", "-at_install")
class TestCreditExposureIndexes(TransactionCase):
    """The partial indexes that keep exposure fast on a large ledger (docs/benchmarks.md)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Index Customer", "is_company": True})
        cls.contact = cls.env["res.partner"].create(
            {"name": "Index Buyer", "parent_id": cls.customer.id}
        )

    def test_indexes_exist(self):
        for name, _table, _columns, _predicate in EXPOSURE_INDEXES:
            self.assertTrue(index_exists(self.env.cr, name), name)

    def _invoice(self, partner, amount):
        return self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": fields.Date.today(),
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Audit", "quantity": 1, "price_unit": amount, "tax_ids": []}
                    )
                ],
            }
        )

    def test_exposure_of_a_contact_counts_for_its_company(self):
        invoice = self._invoice(self.contact, 250.0)
        draft = self.contact._credit_exposure_by_partner()
        self.assertEqual(list(draft), [self.customer.id])
        self.assertAlmostEqual(draft[self.customer.id]["credit_draft_invoices"], 250.0)
        invoice.action_post()
        posted = (self.contact | self.customer)._credit_exposure_by_partner()
        self.assertEqual(list(posted), [self.customer.id])
        self.assertAlmostEqual(posted[self.customer.id]["credit_draft_invoices"], 0.0)
        self.assertAlmostEqual(posted[self.customer.id]["credit_receivable_not_due"], 250.0)
        self.assertEqual(self.env["res.partner"]._credit_exposure_by_partner(), {})

    def test_over_limit_search_matches_the_computed_field(self):
        within = self.env["res.partner"].create({"name": "Within", "is_company": True})
        self.customer.credit_limit = 100.0
        within.credit_limit = 1000.0
        self._invoice(self.contact, 250.0).action_post()
        self._invoice(within, 250.0)  # draft: counts too
        over = self.env["res.partner"].search([("credit_over_limit", "=", True)])
        self.assertIn(self.customer, over)
        self.assertIn(self.contact, over)
        self.assertNotIn(within, over)
        self.assertTrue(self.customer.credit_over_limit)
        self.assertFalse(within.credit_over_limit)
        self.assertAlmostEqual(within.credit_exposure, 250.0)
        not_over = self.env["res.partner"].search(
            [("credit_over_limit", "=", False), ("id", "in", (self.customer | within).ids)]
        )
        self.assertEqual(not_over, within)
