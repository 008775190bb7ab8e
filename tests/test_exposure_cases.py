"""The exposure in the cases users of other credit tools report as wrong.

Every figure is computed by hand in the test (company currency USD, tax-free product at
1,000.00 unless said otherwise, credit limit 10,000.00 under 'block', tolerance 30 days).
"""

from datetime import timedelta

from odoo import Command
from odoo import fields
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common_sale_credit import CreditSaleCommon


@tagged("post_install", "-at_install")
class TestExposureCases(CreditSaleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.tax_10 = cls.env["account.tax"].create(
            {
                "name": "Credit cases VAT 10%",
                "amount": 10.0,
                "type_tax_use": "sale",
                "company_id": cls.company.id,
            }
        )

    # ------------------------------------------------------------------ helpers

    def figures(self, partner=None):
        partner = (partner or self.customer).with_company(self.company)
        partner.invalidate_recordset()
        return partner

    def _order(self, qty, price=1000.0, taxes=None, partner=None, confirm=True, **values):
        order = (
            self.env["sale.order"]
            .with_company(self.company)
            .create(
                dict(
                    {
                        "partner_id": (partner or self.customer).id,
                        "company_id": self.company.id,
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": self.product.id,
                                    "product_uom_qty": qty,
                                    "price_unit": price,
                                    "tax_id": [Command.set((taxes or self.tax_10.browse()).ids)],
                                }
                            )
                        ],
                    },
                    **values,
                )
            )
        )
        if confirm:
            order.action_confirm()
        return order

    def _invoice_order(self, order, method="delivered", percent=0.0):
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=order.ids, active_id=order.id)
            .create({"advance_payment_method": method, "amount": percent})
        )
        wizard.create_invoices()
        return order.invoice_ids.filtered(lambda move: move.state == "draft")

    def _register_payment(self, invoices, amount=None):
        vals = {"payment_date": self.today}
        if amount is not None:
            vals["amount"] = amount
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create(vals)
            ._create_payments()
        )

    def _invoice(self, partner, amount, due, currency=None, user=None):
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "company_id": self.company.id,
                "currency_id": (currency or self.currency).id,
                "invoice_date": self.today,
                "invoice_date_due": due,
                "invoice_user_id": (user or self.env.user).id,
                "invoice_line_ids": [
                    Command.create({"name": "Goods", "quantity": 1, "price_unit": amount})
                ],
            }
        )
        move.invoice_date_due = due
        move.action_post()
        return move

    # ------------------------------------------------------------------ down payments

    def test_down_payment_counts_once(self):
        """10 x 1,000 + 10 % VAT = 11,000 ordered; a 30 % down payment = 3,300."""
        self.customer.with_company(self.company).sudo().credit_limit = 20000.0
        order = self._order(10, taxes=self.tax_10)
        self.assertEqual(order.amount_total, 11000.0)
        partner = self.figures()
        self.assertEqual(partner.credit_orders_uninvoiced, 11000.0)
        self.assertEqual(partner.credit_exposure, 11000.0)

        down_payment = self._invoice_order(order, "percentage", 30.0)
        self.assertEqual(down_payment.amount_total, 3300.0)
        # draft: 3,300 as a draft invoice + 7,700 still to invoice on the order
        partner = self.figures()
        self.assertEqual(partner.credit_draft_invoices, 3300.0)
        self.assertEqual(partner.credit_orders_uninvoiced, 7700.0)
        self.assertEqual(partner.credit_exposure, 11000.0)

        down_payment.action_post()
        partner = self.figures()
        self.assertEqual(partner.credit_receivable_not_due, 3300.0)
        self.assertEqual(partner.credit_draft_invoices, 0.0)
        self.assertEqual(partner.credit_orders_uninvoiced, 7700.0)
        self.assertEqual(partner.credit_exposure, 11000.0)  # never 14,300
        # the "over limit" search agrees with the figure: 11,000 against 10,999 / 11,000
        Partner = self.env["res.partner"].with_company(self.company)
        self.customer.with_company(self.company).sudo().credit_limit = 10999.0
        self.assertIn(self.customer, Partner.search([("credit_over_limit", "=", True)]))
        self.customer.with_company(self.company).sudo().credit_limit = 11000.0
        self.assertNotIn(self.customer, Partner.search([("credit_over_limit", "=", True)]))
        # a new quotation of 1,000 against a 11,500 limit: 11,000 + 1,000 - 11,500 = 500
        self.customer.with_company(self.company).sudo().credit_limit = 11500.0
        quotation = self._quote(qty=1)
        self.assertEqual(quotation.credit_check_state, "blocked")
        self.assertIn(f"exceed the credit limit by {self.fmt(500)}", quotation.credit_banner)

        self._register_payment(down_payment)
        partner = self.figures()
        self.assertEqual(partner.credit_receivable_not_due, 0.0)
        self.assertEqual(partner.credit_orders_uninvoiced, 7700.0)
        self.assertEqual(partner.credit_exposure, 7700.0)  # not 11,000

        final = self._invoice_order(order)
        self.assertEqual(final.amount_total, 7700.0)  # 11,000 less the 3,300 paid
        final.action_post()
        partner = self.figures()
        self.assertEqual(partner.credit_orders_uninvoiced, 0.0)
        self.assertEqual(partner.credit_receivable_not_due, 7700.0)
        self.assertEqual(partner.credit_exposure, 7700.0)  # the final invoice's residual

    def test_down_payment_credited_counts_the_order_again(self):
        """A down payment cancelled by a credit note no longer reduces the order."""
        order = self._order(5)
        down_payment = self._invoice_order(order, "percentage", 20.0)
        down_payment.action_post()
        self.assertEqual(self.figures().credit_exposure, 5000.0)  # 1,000 + 4,000
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=down_payment.ids)
            .create({"journal_id": down_payment.journal_id.id, "date": self.today})
        )
        reversal.refund_moves()
        credit_note = down_payment.reversal_move_ids
        if credit_note.state == "draft":
            credit_note.action_post()
        receivables = (down_payment | credit_note).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        )
        if receivables:
            receivables.reconcile()
        partner = self.figures()
        self.assertEqual(partner.credit_receivable_not_due, 0.0)
        self.assertEqual(partner.credit_orders_uninvoiced, 5000.0)
        self.assertEqual(partner.credit_exposure, 5000.0)

    # ------------------------------------------------------------------ invoicing on delivery

    def test_invoicing_on_delivered_quantities(self):
        """Invoiced on delivery: 10 x 1,000 counts from confirmation, then 4 delivered and
        invoiced: 4,000 on the invoice + 6,000 still to invoice."""
        self.product.invoice_policy = "delivery"
        order = self._order(10)
        partner = self.figures()
        self.assertEqual(partner.credit_orders_uninvoiced, 10000.0)
        self.assertEqual(partner.credit_exposure, 10000.0)
        # partly delivered, nothing invoiced: still the whole order
        order.order_line.qty_delivered = 4
        self.assertEqual(self.figures().credit_orders_uninvoiced, 10000.0)
        invoice = self._invoice_order(order)
        self.assertEqual(invoice.amount_total, 4000.0)
        invoice.action_post()
        partner = self.figures()
        self.assertEqual(partner.credit_receivable_not_due, 4000.0)
        self.assertEqual(partner.credit_orders_uninvoiced, 6000.0)
        self.assertEqual(partner.credit_exposure, 10000.0)

    # ------------------------------------------------------------------ paid online

    def _transaction(self, order, amount, state="done"):
        provider = (
            self.env["payment.provider"]
            .sudo()
            .create({"name": "Credit cases provider", "code": "none", "state": "test"})
        )

        tx = (
            self.env["payment.transaction"]
            .sudo()
            .create(
                {
                    "provider_id": provider.id,
                    "payment_method_id": self.env.ref("payment.payment_method_unknown").id,
                    "amount": amount,
                    "currency_id": order.currency_id.id,
                    "partner_id": order.partner_id.id,
                    "reference": f"CREDIT-CASE-{order.id}-{amount}",
                    "sale_order_ids": [Command.set(order.ids)],
                    "state": "pending" if state == "authorized" else state,
                }
            )
        )
        if state == "authorized":
            # the test provider cannot authorise (no manual capture): set it in the data
            tx.flush_recordset()
            self.env.cr.execute(
                "UPDATE payment_transaction SET state = 'authorized' WHERE id = %s", [tx.id]
            )
            tx.invalidate_recordset()
        return tx

    def _online_quote(self, qty):
        return self._quote(
            qty=qty, require_signature=False, require_payment=True, prepayment_percent=0.1
        )

    def test_paid_online_confirms_under_block(self):
        """12,000 against a 10,000 limit, 2,500 paid online: 9,500 counts, it confirms."""
        order = self._online_quote(12)
        self.assertEqual(order.credit_check_state, "blocked")
        tx = self._transaction(order, 2500.0)
        order.invalidate_recordset()
        self.assertEqual(order.credit_check_state, "ok")
        self.assertIn(f"Paid online for this quotation: {self.fmt(2500)}", order.credit_banner)
        confirmed = tx._check_amount_and_confirm_order()
        self.assertEqual(confirmed, order)
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.credit_release_ids)

    def test_authorised_payment_counts_too(self):
        order = self._online_quote(11)
        self._transaction(order, 1000.0, state="authorized")
        order.invalidate_recordset()
        self.assertEqual(order.credit_check_state, "ok")  # 11,000 - 1,000 = 10,000

    def test_partial_online_payment_counts_for_its_amount(self):
        """12,000 - 1,500 paid = 10,500: still 500 over, the order waits for a release."""
        order = self._online_quote(12)
        tx = self._transaction(order, 1500.0)
        order.invalidate_recordset()
        self.assertEqual(order.credit_check_state, "blocked")
        self.assertIn(f"exceed the credit limit by {self.fmt(500)}", order.credit_banner)
        self.assertFalse(tx._check_amount_and_confirm_order())
        self.assertIn(order.state, ("draft", "sent"))
        self.assertEqual(order.credit_release_ids.state, "pending")

    def test_posted_online_payment_is_not_counted_twice(self):
        """Once its payment is posted, the transaction is in the ledger (unapplied)."""
        order = self._online_quote(12)
        tx = self._transaction(order, 2500.0)
        payment = self.env["account.payment"].create(
            {
                "amount": 2500.0,
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
            }
        )
        payment.action_post()
        tx.payment_id = payment
        order.invalidate_recordset()
        self.assertEqual(order._credit_paid_online_company(), 0.0)
        partner = self.figures()
        self.assertEqual(partner.credit_unapplied, -2500.0)
        # -2,500 + 12,000 = 9,500: within the limit, counted once
        self.assertEqual(order.credit_check_state, "ok")

    def test_paid_online_does_not_lift_a_hold(self):
        self.customer.with_company(self.company).sudo().write(
            {"credit_hold": True, "credit_hold_reason": "Cheques returned"}
        )
        order = self._online_quote(2)
        tx = self._transaction(order, 2000.0)
        order.invalidate_recordset()
        self.assertEqual(order.credit_check_state, "blocked")
        self.assertFalse(tx._check_amount_and_confirm_order())

    # ------------------------------------------------------------------ the document's company

    def test_document_company_not_active_company(self):
        """A user working in company A confirms an order of company B: B's limit, B's
        exposure and B's settings apply."""
        company_a = self.company
        company_b = self.setup_other_company(name="Credit Company B")["company"]
        company_b.write(
            {
                "credit_control_enabled": True,
                "credit_policy_default": "block",
                "credit_overdue_tolerance_days": 30,
            }
        )
        user = new_test_user(
            self.env,
            login="credit_two_companies",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=company_a.id,
            company_ids=[Command.set((company_a | company_b).ids)],
        )
        self.customer.with_company(company_a).sudo().credit_limit = 100000.0
        self.customer.with_company(company_b).sudo().credit_limit = 5000.0
        # 3,000 open in A must not count in B
        self._invoice(self.customer, 3000.0, self.today + timedelta(days=30))
        env = self.env(
            user=user,
            context=dict(self.env.context, allowed_company_ids=[company_a.id, company_b.id]),
        )
        self.assertEqual(env.company, company_a)
        order = env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "company_id": company_b.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "product_uom_qty": 6,
                            "price_unit": 1000.0,
                            "tax_id": [Command.clear()],
                        }
                    )
                ],
            }
        )
        self.assertEqual(order.credit_check_state, "blocked")
        # B: 0 exposure + 6,000 - 5,000 = 1,000 over (A's 3,000 and A's limit do not count)
        self.assertIn(f"exceed the credit limit by {self.fmt(1000)}", order.credit_banner)
        with self.assertRaises(UserError) as error:
            order.action_confirm()
        self.assertIn(f"exceed the credit limit by {self.fmt(1000)}", str(error.exception))
        self.assertEqual(order.state, "draft")
        # B's settings: control switched off in B confirms, whatever A says
        company_b.credit_control_enabled = False
        order.invalidate_recordset()
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        # and an order of A, from the same user working in B, is checked against A
        env_b = env(context=dict(env.context, allowed_company_ids=[company_b.id, company_a.id]))
        self.assertEqual(env_b.company, company_b)
        self.customer.with_company(company_a).sudo().credit_limit = 4000.0
        order_a = env_b["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "company_id": company_a.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "product_uom_qty": 2,
                            "price_unit": 1000.0,
                            "tax_id": [Command.clear()],
                        }
                    )
                ],
            }
        )
        # A: 3,000 open + 2,000 - 4,000 = 1,000 over
        self.assertIn(f"exceed the credit limit by {self.fmt(1000)}", order_a.credit_banner)

    # ------------------------------------------------------------------ every document counts

    def test_own_documents_salesperson_sees_the_whole_exposure(self):
        other = new_test_user(
            self.env,
            login="credit_other_salesman",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        theirs = self._order(6, user_id=other.id)  # 6,000 confirmed by someone else
        self._invoice(self.customer, 2000.0, self.today + timedelta(days=30), user=other)
        mine = self._quote(qty=3, user=self.salesman)  # 3,000
        mine = mine.with_user(self.salesman)
        with self.assertRaises(AccessError):
            theirs.with_user(self.salesman).read(["amount_total"])
        # 6,000 + 2,000 + 3,000 - 10,000 = 1,000 over
        self.assertEqual(mine.credit_check_state, "blocked")
        banner = mine.credit_banner
        self.assertIn(f"exposure {self.fmt(8000)}", banner)
        self.assertIn(f"exceed the credit limit by {self.fmt(1000)}", banner)
        with self.assertRaises(UserError) as error:
            mine.action_confirm()
        self.assertIn(f"exceed the credit limit by {self.fmt(1000)}", str(error.exception))

    # ------------------------------------------------------------------ currencies

    def test_three_currencies(self):
        """USD company; 1 USD = 2 EUR = 0.5 GBP. An EUR order of 4,000 (2,000 USD), a GBP
        invoice of 500 (1,000 USD), an unapplied USD payment of 300."""
        eur = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        gbp = self.setup_other_currency("GBP", rates=[("2000-01-01", 0.5)])
        pricelist = self.env["product.pricelist"].create(
            {"name": "EUR list", "currency_id": eur.id, "company_id": self.company.id}
        )
        order = self._order(2, price=2000.0, pricelist_id=pricelist.id)
        self.assertEqual(order.currency_id, eur)
        self.assertEqual(order.amount_total, 4000.0)
        self._invoice(self.customer, 500.0, self.today + timedelta(days=30), currency=gbp)
        payment = self.env["account.payment"].create(
            {
                "amount": 300.0,
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
            }
        )
        payment.action_post()
        partner = self.figures()
        self.assertAlmostEqual(partner.credit_orders_uninvoiced, 2000.0)
        self.assertAlmostEqual(partner.credit_receivable_not_due, 1000.0)
        self.assertAlmostEqual(partner.credit_unapplied, -300.0)
        self.assertAlmostEqual(partner.credit_exposure, 2700.0)
        # an EUR quotation of 2,000 EUR = 1,000 USD against a 3,000 USD limit: 700 over
        self.customer.with_company(self.company).sudo().credit_limit = 3000.0
        quotation = self._order(1, price=2000.0, pricelist_id=pricelist.id, confirm=False)
        self.assertEqual(quotation.credit_check_state, "blocked")
        self.assertIn(f"exceed the credit limit by {self.fmt(700)}", quotation.credit_banner)

    # ------------------------------------------------------------------ returned payments

    def test_returned_payment_raises_the_exposure_at_once(self):
        invoice = self._invoice(self.customer, 4000.0, self.today + timedelta(days=30))
        payment = self._register_payment(invoice)
        self.assertEqual(self.figures().credit_exposure, 0.0)
        # unreconciled: the invoice is open again, the money is still held (unapplied)
        invoice.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        ).remove_move_reconcile()
        partner = self.figures()
        self.assertEqual(partner.credit_receivable_not_due, 4000.0)
        self.assertEqual(partner.credit_unapplied, -4000.0)
        self.assertEqual(partner.credit_exposure, 0.0)
        # the payment bounces (back to draft and cancelled): the whole invoice is owed
        payment.action_draft()
        payment.action_cancel()
        partner = self.figures()
        self.assertEqual(partner.credit_unapplied, 0.0)
        self.assertEqual(partner.credit_exposure, 4000.0)
        self.customer.with_company(self.company).sudo().credit_limit = 3000.0
        Partner = self.env["res.partner"].with_company(self.company)
        self.assertIn(self.customer, Partner.search([("credit_over_limit", "=", True)]))
        self.assertEqual(self.figures().credit_status, "over")

    # ------------------------------------------------------------------ overdue and tolerance

    def test_overdue_tolerance_means_one_thing(self):
        """Tolerance 30 days: 2,000 overdue for 10 days (inside), 3,000 for 45 days
        (beyond). Another customer only has 1,500 overdue for 10 days."""
        self._overdue_invoice(self.customer, 2000.0, days=10)
        self._overdue_invoice(self.customer, 3000.0, days=45)
        patient = self._credit_partner("Inside Tolerance Ltd", limit=10000.0)
        self._overdue_invoice(patient, 1500.0, days=10)

        partner = self.figures()
        self.assertEqual(partner.credit_overdue, 5000.0)  # as it is
        self.assertEqual(partner.credit_overdue_days_max, 45)
        self.assertEqual(partner.credit_overdue_beyond_tolerance, 3000.0)  # what blocks
        self.assertEqual(partner.credit_status, "overdue")
        inside = self.figures(patient)
        self.assertEqual(inside.credit_overdue, 1500.0)
        self.assertEqual(inside.credit_overdue_beyond_tolerance, 0.0)
        self.assertEqual(inside.credit_status, "ok")

        # the "Overdue Beyond Tolerance" filter and the plain "Any Overdue" one
        Partner = self.env["res.partner"].with_company(self.company)
        beyond = Partner.search([("credit_overdue_beyond_tolerance", ">", 0)])
        self.assertIn(self.customer, beyond)
        self.assertNotIn(patient, beyond)
        self.assertIn(
            self.customer, Partner.search([("credit_overdue_beyond_tolerance", ">=", 3000.0)])
        )
        self.assertNotIn(
            self.customer, Partner.search([("credit_overdue_beyond_tolerance", ">", 3000.0)])
        )
        any_overdue = Partner.search([("credit_overdue", ">", 0)])
        self.assertIn(self.customer, any_overdue)
        self.assertIn(patient, any_overdue)
        self.assertIn(self.customer, Partner.search([("credit_overdue", ">=", 5000.0)]))

        # the banner and the block reason name the same 3,000
        reason = (
            f"The customer has {self.fmt(3000)} overdue for more than the 30-day tolerance "
            "(the oldest for 45 days)."
        )
        order = self._quote(qty=1, user=self.salesman)
        self.assertEqual(order.credit_check_state, "blocked")
        self.assertIn(reason, order.credit_banner)
        self.assertIn(
            f"of which overdue beyond the 30-day tolerance: {self.fmt(3000)}", order.credit_banner
        )
        with self.assertRaises(UserError) as error:
            order.with_user(self.salesman).action_confirm()
        self.assertIn(reason, str(error.exception))
        # inside the tolerance: no overdue reason at all
        ok = self._quote(partner=patient, qty=1, user=self.salesman)
        self.assertEqual(ok.credit_check_state, "ok")
        self.assertNotIn("overdue for more than", ok.credit_banner)

    def test_aging_oldest_days_never_negative(self):
        self._invoice(self.customer, 800.0, self.today + timedelta(days=20))
        self._overdue_invoice(self.other_customer_partner(), 100.0, days=12)
        report = self.env["customer.credit.aging.report"].create(
            {"date_as_of": self.today, "company_ids": [Command.set(self.company.ids)]}
        )
        report._run_aging()
        lines = report.line_ids
        not_due = lines.filtered(lambda row: row.partner_id == self.customer)
        self.assertEqual(not_due.days_overdue_max, 0)
        late = lines.filtered(lambda row: row.partner_id.name == "Late Payer Ltd")
        self.assertEqual(late.days_overdue_max, 12)
        self.assertFalse(lines.filtered(lambda row: row.days_overdue_max < 0))

    def other_customer_partner(self):
        return self._credit_partner("Late Payer Ltd", limit=1000.0)
