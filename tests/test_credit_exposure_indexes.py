from odoo import Command, fields
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL
from odoo.tools.sql import index_exists

from ..models.credit_exposure import EXPOSURE_INDEXES, exposure_sql


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

    def _plan(self, query):
        self.env.cr.execute(SQL("EXPLAIN %s", query))
        return "\n".join(row[0] for row in self.env.cr.fetchall())

    def test_indexes_exist(self):
        for name, _table, _columns, _predicate in EXPOSURE_INDEXES:
            self.assertTrue(index_exists(self.env.cr, name), name)

    def test_exposure_query_can_use_the_indexes(self):
        # With sequential scans disabled, PostgreSQL picks the partial indexes only if
        # the query's WHERE clause implies their predicate: this breaks as soon as the
        # query and the index definitions drift apart.
        self.env.cr.execute("SET LOCAL enable_seqscan = off")
        self.env.cr.execute("SET LOCAL enable_bitmapscan = off")
        plan = self._plan(
            exposure_sql(self.env.company.id, fields.Date.today(), [self.customer.id])
        )
        for name, _table, _columns, _predicate in EXPOSURE_INDEXES:
            self.assertIn(name, plan)

    def test_exposure_of_a_contact_counts_for_its_company(self):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.contact.id,
                "invoice_date": fields.Date.today(),
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Audit", "quantity": 1, "price_unit": 250.0, "tax_ids": []}
                    )
                ],
            }
        )
        draft = self.contact._credit_exposure_by_partner()
        self.assertEqual(list(draft), [self.customer.id])
        self.assertAlmostEqual(draft[self.customer.id]["credit_draft_invoices"], 250.0)
        invoice.action_post()
        posted = (self.contact | self.customer)._credit_exposure_by_partner()
        self.assertEqual(list(posted), [self.customer.id])
        self.assertAlmostEqual(posted[self.customer.id]["credit_draft_invoices"], 0.0)
        self.assertAlmostEqual(posted[self.customer.id]["credit_receivable_not_due"], 250.0)
        self.assertEqual(self.env["res.partner"]._credit_exposure_by_partner(), {})
