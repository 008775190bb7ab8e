from contextlib import contextmanager
from datetime import timedelta

from odoo import Command
from odoo import fields
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests import new_test_user


class CreditCommon(AccountTestInvoicingCommon):
    """Company, customers, users and document helpers for credit tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.customer = cls.env["res.partner"].create(
            {"name": "Credit Customer Ltd", "is_company": True}
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Buyer of Credit Customer", "parent_id": cls.customer.id}
        )
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Other Customer Ltd", "is_company": True}
        )
        cls.salesman = new_test_user(
            cls.env,
            login="credit_salesman",
            groups="sales_team.group_sale_salesman,base.group_partner_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.accountant = new_test_user(
            cls.env,
            login="credit_accountant",
            groups="account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.credit_manager = new_test_user(
            cls.env,
            login="credit_manager",
            groups="sales_team.group_sale_salesman,customer_credit.group_credit_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.tax_10 = cls.env["account.tax"].create(
            {"name": "Credit VAT 10%", "amount": 10.0, "type_tax_use": "sale"}
        )

    def setUp(self):
        super().setUp()
        # after each test, before its rollback: the exposure ledger the database keeps
        # must equal the documents, whatever the test did to them
        self.addCleanup(self.assertExposureLedgerAgrees)

    def assertExposureLedgerAgrees(self):
        drift = self.env["customer.credit.monitor"]._exposure_ledger_drift()
        self.assertEqual(drift, [], "the exposure ledger differs from the documents")
        drift = self.env["customer.credit.aging.item"]._match_first_date_drift()
        self.assertEqual(drift, [], "a match's first date is not that of its lines")

    @classmethod
    def make_invoice(
        cls,
        partner,
        amount,
        due_in_days=30,
        post=True,
        move_type="out_invoice",
        currency=None,
        invoice_date=None,
        taxes=None,
    ):
        """A customer invoice (or credit note) of ``amount`` untaxed, due in ``due_in_days``."""
        invoice_date = invoice_date or cls.today
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_date": invoice_date,
                "invoice_date_due": invoice_date + timedelta(days=due_in_days),
                "invoice_payment_term_id": False,
                "currency_id": (currency or cls.company.currency_id).id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Goods",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.set((taxes or cls.env["account.tax"]).ids)],
                        }
                    )
                ],
            }
        )
        # The due date is kept when there is no payment term.
        move.invoice_date_due = invoice_date + timedelta(days=due_in_days)
        if post:
            move.action_post()
        return move

    @classmethod
    def pay(cls, invoices, amount=None, date=None):
        """Register a payment (partial when ``amount`` is given) on ``invoices``."""
        vals = {"payment_date": date or cls.today}
        if amount is not None:
            vals["amount"] = amount
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create(vals)
            ._create_payments()
        )

    @classmethod
    def make_order(cls, partner, amount, confirm=True, taxes=None, currency_pricelist=None):
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "pricelist_id": currency_pricelist.id if currency_pricelist else False,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.product_a.id,
                            "product_uom_qty": 1,
                            "price_unit": amount,
                            "tax_id": [Command.set((taxes or cls.env["account.tax"]).ids)],
                        }
                    )
                ],
            }
        )
        if confirm:
            order.action_confirm()
        return order

    @contextmanager
    def assertRaisesText(self, exception, text):
        """assertRaises (which rolls back to a savepoint) plus a check of the message."""
        with self.assertRaises(exception) as catcher:
            yield catcher
        self.assertIn(text, str(catcher.exception))

    def exposure(self, partner, company=None):
        partner.invalidate_recordset()
        return partner.with_company(company or self.company)
