from odoo import Command
from odoo.tests import tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestOpenReceivablesAgree(CreditCommon):
    """One definition of an open (and overdue) receivable line: the exposure, the
    "overdue" search, the escalation's overdue invoices and the aging read the same
    ledger and give the same figures."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.credit_overdue_tolerance_days = 0
        customer, contact = cls.customer, cls.contact
        cls.overdue = cls.make_invoice(customer, 1000.0, due_in_days=-40)
        cls.not_due = cls.make_invoice(contact, 500.0, due_in_days=20)
        cls.partly_paid = cls.make_invoice(customer, 300.0, due_in_days=-10)
        cls.pay(cls.partly_paid, amount=100.0)
        cls.paid = cls.make_invoice(customer, 700.0, due_in_days=-5)
        cls.pay(cls.paid)
        cls.refund = cls.make_invoice(customer, 200.0, due_in_days=0, move_type="out_refund")
        cls.draft = cls.make_invoice(customer, 999.0, due_in_days=-60, post=False)
        cls.other = cls.make_invoice(cls.other_customer, 80.0, due_in_days=-3)

    def test_every_consumer_reads_the_same_open_items(self):
        partner = self.customer.with_company(self.company)
        # exposure (one SQL query per batch)
        values = partner._credit_exposure_by_partner(company=self.company)[partner.id]
        self.assertAlmostEqual(values["credit_overdue"], 1200.0)
        self.assertAlmostEqual(values["credit_receivable_not_due"], 500.0)
        self.assertAlmostEqual(values["credit_unapplied"], -200.0)
        # the "Overdue" search (amounts per customer)
        Partner = self.env["res.partner"].with_company(self.company)
        self.assertIn(self.customer, Partner.search([("credit_overdue", ">", 1199.0)]))
        self.assertNotIn(self.customer, Partner.search([("credit_overdue", ">", 1200.0)]))
        self.assertIn(self.other_customer, Partner.search([("credit_overdue", ">", 0)]))
        # the escalation's overdue invoices, oldest first
        moves = partner._credit_overdue_move_ids_by_partner()
        self.assertEqual(moves[self.customer.id], [self.overdue.id, self.partly_paid.id])
        # the aging as of today: same open items, same overdue amount
        report = self.env["customer.credit.aging.report"].create(
            {"date_as_of": self.today, "company_ids": [Command.set(self.company.ids)]}
        )
        report._run_aging()
        line = report.line_ids.filtered(
            lambda row: row.partner_id.commercial_partner_id == self.customer
        )
        amounts = line._bucket_amounts()
        self.assertAlmostEqual(sum(amounts), 1200.0 + 500.0 - 200.0)
        report._ensure_items()
        items = report.item_ids.filtered(
            lambda item: item.partner_id.commercial_partner_id == self.customer
        )
        self.assertEqual(
            set(items.move_id.ids),
            {self.overdue.id, self.not_due.id, self.partly_paid.id, self.refund.id},
        )
        overdue_items = items.filtered(lambda item: item.days_overdue > 0 and item.amount_open > 0)
        self.assertAlmostEqual(sum(overdue_items.mapped("amount_open")), 1200.0)
        # paying the rest of an invoice takes it out of every consumer at once
        self.pay(self.partly_paid)
        partner.invalidate_recordset()
        values = partner._credit_exposure_by_partner(company=self.company)[partner.id]
        self.assertAlmostEqual(values["credit_overdue"], 1000.0)
        self.assertEqual(
            partner._credit_overdue_move_ids_by_partner()[self.customer.id], [self.overdue.id]
        )
