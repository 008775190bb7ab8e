from odoo.tests import tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestCreditExposure(CreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.sudo().credit_limit = 10000.0

    def test_open_invoice_not_due(self):
        self.make_invoice(self.customer, 1000.0, due_in_days=30)
        partner = self.exposure(self.customer)
        self.assertEqual(partner.credit_receivable_not_due, 1000.0)
        self.assertEqual(partner.credit_overdue, 0.0)
        self.assertEqual(partner.credit_exposure, 1000.0)
        self.assertEqual(partner.credit_available, 9000.0)
        self.assertEqual(partner.credit_utilization, 10.0)
        self.assertEqual(partner.credit_status, "ok")

    def test_overdue_with_oldest_days(self):
        self.make_invoice(
            self.customer,
            300.0,
            due_in_days=0,
            invoice_date=self.today.replace(day=1) - self._days(45),
        )
        self.make_invoice(self.customer, 200.0, due_in_days=-10)
        partner = self.exposure(self.customer)
        self.assertEqual(partner.credit_overdue, 500.0)
        expected_days = (self.today - (self.today.replace(day=1) - self._days(45))).days
        self.assertEqual(partner.credit_overdue_days_max, expected_days)
        self.assertEqual(partner.credit_status, "overdue")

    def test_partial_payment_reduces_exposure(self):
        invoice = self.make_invoice(self.customer, 1000.0, taxes=self.tax_10)
        self.pay(invoice, amount=400.0)
        partner = self.exposure(self.customer)
        self.assertEqual(invoice.amount_residual, 700.0)
        self.assertEqual(partner.credit_receivable_not_due, 700.0)
        self.assertEqual(partner.credit_exposure, 700.0)

    def test_full_payment_clears_exposure(self):
        invoice = self.make_invoice(self.customer, 1000.0)
        self.pay(invoice)
        self.assertEqual(self.exposure(self.customer).credit_exposure, 0.0)

    def test_unreconciled_payment_reduces_exposure(self):
        self.make_invoice(self.customer, 1000.0)
        payment = self.env["account.payment"].create(
            {
                "amount": 250.0,
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
            }
        )
        payment.action_post()
        partner = self.exposure(self.customer)
        self.assertEqual(partner.credit_unapplied, -250.0)
        self.assertEqual(partner.credit_exposure, 750.0)

    def test_credit_note_reduces_exposure(self):
        self.make_invoice(self.customer, 1000.0)
        self.make_invoice(self.customer, 150.0, move_type="out_refund")
        partner = self.exposure(self.customer)
        self.assertEqual(partner.credit_unapplied, -150.0)
        self.assertEqual(partner.credit_exposure, 850.0)

    def test_contact_invoice_counts_for_commercial_partner(self):
        self.make_invoice(self.contact, 600.0)
        company = self.exposure(self.customer)
        contact = self.exposure(self.contact)
        self.assertEqual(company.credit_exposure, 600.0)
        # The contact shows its company's profile and exposure.
        self.assertEqual(contact.credit_exposure, 600.0)
        self.assertEqual(contact.credit_available, 9400.0)

    def test_foreign_currency_at_residual_in_company_currency(self):
        foreign = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        invoice = self.make_invoice(self.customer, 1000.0, currency=foreign)
        # 1000 EUR at 2 EUR per company unit.
        self.assertEqual(invoice.amount_residual_signed, 500.0)
        self.pay(invoice, amount=200.0)
        partner = self.exposure(self.customer)
        self.assertEqual(partner.credit_exposure, 400.0)

    def test_draft_invoices_and_refunds(self):
        self.make_invoice(self.customer, 800.0, post=False, taxes=self.tax_10)
        self.make_invoice(self.customer, 100.0, post=False, move_type="out_refund")
        partner = self.exposure(self.customer)
        self.assertEqual(partner.credit_draft_invoices, 780.0)
        self.assertEqual(partner.credit_exposure, 780.0)

    def test_uninvoiced_orders_tax_included(self):
        order = self.make_order(self.customer, 2000.0, taxes=self.tax_10)
        partner = self.exposure(self.customer)
        self.assertEqual(partner.credit_orders_uninvoiced, 2200.0)
        # Invoicing the order moves the amount to the draft invoices, not counted twice.
        invoice = order._create_invoices()
        partner = self.exposure(self.customer)
        self.assertEqual(partner.credit_orders_uninvoiced, 0.0)
        self.assertEqual(partner.credit_draft_invoices, 2200.0)
        invoice.action_post()
        partner = self.exposure(self.customer)
        self.assertEqual(partner.credit_draft_invoices, 0.0)
        self.assertEqual(partner.credit_exposure, 2200.0)

    def test_draft_and_cancelled_orders_do_not_count(self):
        self.make_order(self.customer, 500.0, confirm=False)
        self.make_order(self.customer, 700.0)._action_cancel()
        self.assertEqual(self.exposure(self.customer).credit_exposure, 0.0)

    def test_batch_computation_is_one_query(self):
        self.make_invoice(self.customer, 100.0)
        self.make_invoice(self.other_customer, 200.0)
        partners = self.customer | self.contact | self.other_customer
        partners.invalidate_recordset()
        partners._credit_flush()
        self.env["res.partner"]._credit_today()  # the user's time zone: once per request
        with self.assertQueryCount(1):
            result = partners._credit_exposure_by_partner()
        self.assertEqual(result[self.customer.id]["credit_receivable_not_due"], 100.0)
        self.assertEqual(result[self.other_customer.id]["credit_receivable_not_due"], 200.0)

    def test_over_limit_and_near_limit(self):
        self.make_invoice(self.customer, 8500.0)
        self.assertEqual(self.exposure(self.customer).credit_status, "near")
        self.make_order(self.customer, 2000.0)
        partner = self.exposure(self.customer)
        self.assertTrue(partner.credit_over_limit)
        self.assertEqual(partner.credit_available, -500.0)
        self.assertEqual(partner.credit_status, "over")

    def test_search_filters(self):
        Partner = self.env["res.partner"]
        self.make_invoice(self.customer, 12000.0)
        self.make_invoice(self.other_customer, 50.0, due_in_days=-5)
        over = Partner.search([("credit_over_limit", "=", True)])
        self.assertIn(self.customer, over)
        self.assertIn(self.contact, over)
        self.assertNotIn(self.other_customer, over)
        self.assertNotIn(self.customer, Partner.search([("credit_over_limit", "=", False)]))
        overdue = Partner.search([("credit_overdue", ">", 0)])
        self.assertIn(self.other_customer, overdue)
        self.assertNotIn(self.customer, overdue)
        # Tolerance: 5 days overdue is tolerated with 10 days of tolerance.
        self.company.credit_overdue_tolerance_days = 10
        self.assertNotIn(
            self.other_customer,
            Partner.search([("credit_overdue_beyond_tolerance", ">", 0)]),
        )
        # "Overdue" itself is the amount as it is, whatever the tolerance
        self.assertIn(self.other_customer, Partner.search([("credit_overdue", ">", 0)]))
        self.customer.with_user(self.credit_manager).write(
            {"credit_hold": True, "credit_hold_reason": "Cheque bounced"}
        )
        self.assertEqual(
            Partner.search([("credit_hold", "=", True), ("id", "=", self.customer.id)]),
            self.customer,
        )

    def test_other_company_documents_do_not_count(self):
        other = self.setup_other_company()["company"]
        self.make_invoice(self.customer, 100.0)
        self.assertEqual(self.exposure(self.customer, other).credit_exposure, 0.0)

    def test_contact_figures_use_the_commercial_terms_of_the_company(self):
        other = self.setup_other_company()["company"]
        self.make_invoice(self.customer, 1000.0, due_in_days=30)
        self.customer.with_company(other).sudo().credit_limit = 500.0
        contact = self.exposure(self.contact)
        self.assertEqual(contact.credit_available, 9000.0)
        self.assertEqual(contact.credit_status, "ok")
        contact = self.exposure(self.contact, other)
        self.assertEqual(contact.credit_exposure, 0.0)
        self.assertEqual(contact.credit_available, 500.0)
        self.customer.with_user(self.credit_manager).write(
            {"credit_hold": True, "credit_hold_reason": "Cheque bounced"}
        )
        self.assertEqual(self.exposure(self.contact).credit_status, "hold")
        self.assertEqual(self.exposure(self.contact, other).credit_status, "ok")

    def test_company_default_limit_applies_as_in_the_orm(self):
        self.env["ir.default"].set(
            "res.partner", "credit_limit", 2000.0, company_id=self.company.id
        )
        self.make_invoice(self.other_customer, 1900.0, due_in_days=30)
        partner = self.exposure(self.other_customer)
        self.assertEqual(partner.credit_limit, 2000.0)
        self.assertEqual(partner.credit_available, 100.0)
        self.assertEqual(partner.credit_status, "near")
        # a limit of its own wins over the default
        self.assertEqual(self.exposure(self.customer).credit_status, "ok")

    def test_partner_being_edited_has_the_same_figures(self):
        self.make_invoice(self.customer, 9000.0, due_in_days=30)
        stored = self.exposure(self.contact)
        edited = stored.new(origin=stored)
        self.assertEqual(edited.credit_exposure, stored.credit_exposure)
        self.assertEqual(edited.credit_available, stored.credit_available)
        self.assertEqual(edited.credit_status, "near")

    def test_read_from_empty_cache_reads_only_what_it_needs(self):
        # the exposure, then one light query of the partner's commercial partner, limit
        # and hold, the company's tolerance, currency and rounding: no load of every
        # column of the partner, the company and the currency
        self.make_invoice(self.customer, 100.0, due_in_days=30)
        partner = self.customer.with_user(self.credit_manager).with_company(self.company)
        partner = partner.with_context(tz="Europe/Brussels")  # as the web client sends
        for _warm_ormcaches in range(2):
            self.env.invalidate_all()
            self.assertEqual(partner.credit_exposure, 100.0)
        self.env.invalidate_all()
        with self.assertQueryCount(2):
            self.assertEqual(partner.credit_status, "ok")
            self.assertEqual(partner.credit_exposure, 100.0)
        self.assertNotIn("name", partner._cache)
        self.assertNotIn("name", self.company._cache)
        # a contact: one more light query, for its commercial partner
        contact = partner.browse(self.contact.id)
        self.env.invalidate_all()
        with self.assertQueryCount(3):
            self.assertEqual(contact.credit_exposure, 100.0)

    @staticmethod
    def _days(n):
        from datetime import timedelta

        return timedelta(days=n)
