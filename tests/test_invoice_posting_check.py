"""Credit control at invoice posting: figures computed by hand in each test.

The customer of CreditSaleCommon has a 10,000.00 limit, policy 'block' (the company
default); the product costs 1,000.00 without taxes.
"""

from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import Command
from odoo import fields
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import HttpCase
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common_sale_credit import CreditSaleCommon


class InvoicePostingCommon(CreditSaleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.credit_check_invoices = True
        cls.accountant = new_test_user(
            cls.env,
            login="credit_accountant",
            password="credit_accountant",
            name="Alice Accountant",
            groups="account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def _invoice(self, amount, partner=None, user=None, move_type="out_invoice"):
        """A draft direct invoice (no order) of ``amount``, tax free."""
        env = self.env(user=user or self.accountant)
        return (
            env["account.move"]
            .with_company(self.company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": (partner or self.customer).id,
                    "invoice_date": fields.Date.today(),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Direct sale",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )

    def _order_invoice(self, qty):
        """A confirmed order of ``qty`` x 1,000.00 and its draft invoice."""
        order = self._quote(qty=qty, user=self.salesman)
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        invoice = order._create_invoices()
        invoice.invoice_date = fields.Date.today()
        return order, invoice.with_user(self.accountant)

    def _set_price(self, invoice, price):
        line = invoice.invoice_line_ids.filtered(lambda aml: aml.display_type == "product")
        invoice.write({"invoice_line_ids": [Command.update(line.id, {"price_unit": price})]})

    def _state(self, record):
        self.env.invalidate_all()
        return record.sudo().state

    def _decisions(self, kind, record):
        return self.env["customer.credit.decision"].search(
            [("kind", "=", kind), ("res_model", "=", record._name), ("res_id", "=", record.id)]
        )


@tagged("post_install", "-at_install")
class TestInvoicePostingCheck(InvoicePostingCommon):
    def test_setting_off_posts(self):
        self.company.credit_check_invoices = False
        invoice = self._invoice(12000.0)
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.credit_check_state, "none")

    def test_direct_invoice_over_limit_blocked(self):
        # posted, not yet due: 3,000; a direct invoice of 8,000 gives 8,000 of new
        # credit on an exposure of 3,000: 11,000 - 10,000 = 1,000 over the limit
        old = self._invoice(3000.0)
        old.invoice_date_due = fields.Date.today() + timedelta(days=30)
        old.action_post()
        invoice = self._invoice(8000.0)
        self.assertEqual(invoice.credit_check_state, "blocked")
        with self.assertRaises(UserError) as caught:
            invoice.action_post()
        message = str(caught.exception)
        self.assertIn(f"gives {self.fmt(8000)} of new credit", message)
        self.assertIn(f"would exceed the credit limit by {self.fmt(1000)}", message)
        self.assertIn("Request Credit Release", message)
        self.assertEqual(self._state(invoice), "draft")
        # 2,000 fits: 3,000 + 7,000 = 10,000
        self._set_price(invoice, 7000.0)
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")

    def test_warn_posts_logs_and_records(self):
        self.customer.with_company(self.company).sudo().credit_control_policy = "warn"
        invoice = self._invoice(12000.0)
        self.assertEqual(invoice.credit_check_state, "warning")
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        note = invoice.message_ids.filtered(lambda m: "credit warning" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn(f"exceed the credit limit by {self.fmt_html(2000)}", note.body)
        decision = self._decisions("warn_posted", invoice)
        self.assertEqual(len(decision), 1)
        self.assertRecordValues(
            decision,
            [
                {
                    "partner_id": self.customer.id,
                    "company_id": self.company.id,
                    "user_id": self.accountant.id,
                    "old_value": self.currency.format(0.0),
                    "new_value": self.currency.format(12000.0),
                }
            ],
        )

    def test_invoice_within_its_order_posts_under_block(self):
        # 8,000 confirmed within the 10,000 limit, then the limit drops to 5,000: the
        # exposure (8,000) is over it, but the invoice of the order adds nothing
        order, invoice = self._order_invoice(8)
        self.customer.with_company(self.company).sudo().credit_limit = 5000.0
        self.assertEqual(invoice.amount_total, 8000.0)
        self.assertEqual(invoice.credit_check_state, "none")
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(order.invoice_status, "invoiced")

    def test_invoice_beyond_its_order_checked_on_the_excess(self):
        # order 8 x 1,000 = 8,000; invoiced at 1,500: 12,000, of which 4,000 is beyond
        # the order; exposure without it 8,000: 8,000 + 4,000 - 10,000 = 2,000 over
        _order, invoice = self._order_invoice(8)
        self._set_price(invoice, 1500.0)
        self.assertEqual(invoice.amount_total, 12000.0)
        with self.assertRaises(UserError) as caught:
            invoice.action_post()
        message = str(caught.exception)
        self.assertIn(f"gives {self.fmt(4000)} of new credit", message)
        self.assertIn(f"would exceed the credit limit by {self.fmt(2000)}", message)
        self.assertEqual(self._state(invoice), "draft")
        # at 1,250: 10,000, of which 2,000 beyond the order: 8,000 + 2,000 = the limit
        self._set_price(invoice, 1250.0)
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")

    def test_credit_notes_and_lower_invoices_never_blocked(self):
        order, invoice = self._order_invoice(8)
        partner = self.customer.with_company(self.company).sudo()
        partner.write({"credit_hold": True, "credit_hold_reason": "Bounced cheque"})
        # the order invoiced at 500: 4,000 for 8,000 ordered, the exposure goes down
        self._set_price(invoice, 500.0)
        self.assertEqual(invoice.credit_check_state, "none")
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        refund = self._invoice(20000.0, move_type="out_refund")
        refund.action_post()
        self.assertEqual(refund.state, "posted")
        self.assertEqual(refund.credit_check_state, "none")

    def test_hold_blocks_whatever_the_policy(self):
        partner = self.customer.with_company(self.company).sudo()
        partner.write(
            {
                "credit_control_policy": "none",
                "credit_hold": True,
                "credit_hold_reason": "Bounced cheque",
            }
        )
        invoice = self._invoice(100.0)
        with self.assertRaisesRegex(UserError, "on credit hold: Bounced cheque"):
            invoice.action_post()
        self.assertEqual(self._state(invoice), "draft")

    def test_release_approved_by_another_manager_then_used_once(self):
        invoice = self._invoice(12000.0)
        # the form's button opens the release request instead of the error
        action = invoice.with_context(credit_interactive=True).action_post()
        self.assertEqual(action["res_model"], "customer.credit.release.request")
        wizard = Form(
            self.env["customer.credit.release.request"]
            .with_user(self.accountant)
            .with_context(**action["context"])
        )
        self.assertIn(f"exceed the credit limit by {self.fmt(2000)}", wizard.reasons_html)
        wizard.comment = "Year-end delivery, paid by letter of credit"
        wizard.save().action_request()
        release = invoice.sudo().credit_release_ids
        self.assertRecordValues(
            release,
            [
                {
                    "state": "pending",
                    "move_id": invoice.id,
                    "order_id": False,
                    "amount_total": 12000.0,
                    "partner_id": self.customer.id,
                    "requester_id": self.accountant.id,
                    "reason_codes": "over_limit",
                    "company_id": self.company.id,
                }
            ],
        )
        with self.assertRaises(UserError):
            invoice.action_post()
        # an accountant is not a credit manager
        with self.assertRaises(AccessError):
            release.with_user(self.accountant).action_approve("fine")
        release.with_user(self.manager2).action_approve("Letter of credit received")
        self.assertEqual(release.state, "approved")
        self.assertIn("The invoice can be posted once", invoice.message_ids[0].body)
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(release.state, "used")
        self.assertEqual(len(self._decisions("release_used", release)), 1)
        self.assertEqual(len(self._decisions("release_approved", release)), 1)
        self.assertEqual(self._decisions("release_approved", release).user_id, self.manager2)
        # used once: a second invoice of the same amount needs its own release
        again = self._invoice(12000.0)
        with self.assertRaises(UserError):
            again.action_post()

    def test_requester_cannot_approve(self):
        invoice = self._invoice(12000.0)
        release = (
            self.env["customer.credit.release"]
            .with_user(self.manager)
            .create({"move_id": invoice.id, "request_comment": "Known customer"})
        )
        with self.assertRaisesRegex(UserError, "another credit manager"):
            release.with_user(self.manager).action_approve("mine")
        self.assertEqual(release.state, "pending")
        self.assertNotIn(self.manager, release.activity_ids.user_id)

    def test_release_needs_exactly_one_document(self):
        order = self._quote(qty=12, user=self.salesman)
        invoice = self._invoice(12000.0)
        Release = self.env["customer.credit.release"].with_user(self.accountant)
        for document in ({"order_id": order.id, "move_id": invoice.id}, {}):
            with self.assertRaisesRegex(ValidationError, "one sales order or one customer invoice"):
                Release.create(dict(document, request_comment="both or none"))
        self.assertFalse(self.env["customer.credit.release"].search([("move_id", "=", invoice.id)]))
        # the database says the same
        release = (
            self.env["customer.credit.release"]
            .with_user(self.salesman)
            .create({"order_id": order.id, "request_comment": "Known customer"})
        )
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.env.cr.execute(
                "UPDATE customer_credit_release SET move_id = %s WHERE id = %s",
                (invoice.id, release.id),
            )

    def test_changing_the_invoice_voids_the_release(self):
        invoice = self._invoice(12000.0)
        release = (
            self.env["customer.credit.release"]
            .with_user(self.accountant)
            .create({"move_id": invoice.id, "request_comment": "Pays on Friday"})
        )
        release.with_user(self.manager).action_approve("OK")
        self.assertEqual(release.state, "approved")
        # up and back to the same amount: void all the same
        self._set_price(invoice, 13000.0)
        self._set_price(invoice, 12000.0)
        self.assertEqual(release.state, "void")
        with self.assertRaises(UserError):
            invoice.action_post()
        self.assertEqual(self._state(invoice), "draft")

    def test_line_written_directly_voids_the_release(self):
        invoice = self._invoice(12000.0)
        release = (
            self.env["customer.credit.release"]
            .with_user(self.accountant)
            .create({"move_id": invoice.id, "request_comment": "Pays on Friday"})
        )
        line = invoice.invoice_line_ids
        line.with_user(self.accountant).write({"quantity": 2})
        self.assertEqual(release.state, "void")

    def test_two_invoices_of_one_call_count_together(self):
        # 6,000 + 6,000 in one call: each fits alone, together 2,000 over
        first, second = self._invoice(6000.0), self._invoice(6000.0)
        with self.assertRaises(UserError) as caught:
            (first | second).action_post()
        self.assertIn(f"exceed the credit limit by {self.fmt(2000)}", str(caught.exception))
        self.assertEqual(self._state(first), "draft")
        self.assertEqual(self._state(second), "draft")

    def test_auto_post_cron_is_checked(self):
        invoice = self._invoice(12000.0)
        invoice.write({"auto_post": "at_date", "checked": True})
        self.env["account.move"]._autopost_draft_entries()
        self.assertEqual(self._state(invoice), "draft")
        self.assertIn("exceed the credit limit", invoice.message_ids[0].body)

    def test_superuser_bypass_needs_the_explicit_key(self):
        invoice = self._invoice(12000.0).sudo()
        with self.assertRaises(UserError):
            invoice.with_context(skip_credit_check=True).action_post()
        invoice.with_context(credit_invoice_check_skip=True).action_post()
        self.assertEqual(invoice.state, "posted")

    def test_only_settings_admins_switch_the_check(self):
        with self.assertRaises(AccessError):
            self.company.with_user(self.manager).sudo(False).write({"credit_check_invoices": False})
        self.assertTrue(self.company.credit_check_invoices)


@tagged("post_install", "-at_install")
class TestInvoicePostingRpc(InvoicePostingCommon, HttpCase):
    """An accountant over JSON-RPC cannot post a blocked invoice whatever the call."""

    def rpc(self, model, method, *args, context=None, **kwargs):
        self.env.flush_all()
        try:
            return self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {
                    "model": model,
                    "method": method,
                    "args": list(args),
                    "kwargs": dict(kwargs, context=dict({"lang": "en_US"}, **(context or {}))),
                },
            )
        finally:
            self.env.invalidate_all()

    def assertRefused(self, model, method, *args, **kwargs):
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as caught:
            self.rpc(model, method, *args, **kwargs)
        self.assertIn(
            str(caught.exception),
            ("odoo.exceptions.UserError", "odoo.exceptions.AccessError"),
        )

    def test_accountant_cannot_bypass(self):
        invoice = self._invoice(12000.0)
        self.authenticate("credit_accountant", "credit_accountant")
        keys = {
            "credit_invoice_check_skip": True,
            "skip_credit_check": True,
            "bypass_risk": True,
            "check_move_validity": False,
            "skip_account_move_synchronization": True,
            "tracking_disable": True,
            "default_state": "posted",
        }
        for key, value in keys.items():
            with self.subTest(key=key):
                self.assertRefused("account.move", "action_post", invoice.ids, context={key: value})
                self.assertEqual(self._state(invoice), "draft")
        self.assertRefused("account.move", "action_post", invoice.ids, context=keys)
        self.assertRefused("account.move", "write", invoice.ids, {"state": "posted"}, context=keys)
        self.assertRefused("account.move", "_post", invoice.ids, False)
        self.assertEqual(self._state(invoice), "draft")
        count = self.env["account.move"].search_count([("state", "=", "posted")])
        self.assertRefused(
            "account.move",
            "create",
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "state": "posted",
                    "invoice_line_ids": [
                        Command.create({"name": "x", "quantity": 1, "price_unit": 12000.0})
                    ],
                }
            ],
        )
        self.assertEqual(self.env["account.move"].search_count([("state", "=", "posted")]), count)
        # nor switch the check off
        self.assertRefused(
            "res.company", "write", self.company.ids, {"credit_check_invoices": False}
        )
        self.assertTrue(self.company.credit_check_invoices)
        # the button's flag only opens the release request
        action = self.rpc(
            "account.move", "action_post", invoice.ids, context={"credit_interactive": True}
        )
        self.assertEqual(action["res_model"], "customer.credit.release.request")
        self.assertEqual(self._state(invoice), "draft")

    def test_salesperson_cannot_post(self):
        invoice = self._invoice(12000.0)
        self.authenticate(self.salesman.login, self.salesman.login)
        self.assertRefused("account.move", "action_post", invoice.ids)
        self.assertRefused("account.move", "write", invoice.ids, {"state": "posted"})
        self.assertEqual(self._state(invoice), "draft")
