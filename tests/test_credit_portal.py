from odoo import Command
from odoo.tests import HttpCase
from odoo.tests import new_test_user
from odoo.tests import tagged

# 1x1 transparent PNG
SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


@tagged("post_install", "-at_install")
class TestCreditPortal(HttpCase):
    """Online acceptance: the customer signs or pays, the credit check stops or warns,
    the customer sees no error, and the credit manager gets an activity."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write({"credit_control_enabled": True, "credit_policy_default": "block"})
        cls.manager = new_test_user(
            cls.env,
            login="portal_credit_manager",
            groups="sales_team.group_sale_salesman_all_leads,customer_credit.group_credit_manager",
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Portal Over Ltd", "is_company": True, "email": "over@example.com"}
        )
        cls.customer.sudo().write({"credit_limit": 1000.0, "credit_manager_id": cls.manager.id})
        cls.product = cls.env["product.product"].create(
            {"name": "Portal Widget", "list_price": 800.0, "taxes_id": [Command.clear()]}
        )

    def _quote(self, qty, **values):
        return self.env["sale.order"].create(
            dict(
                {
                    "partner_id": self.customer.id,
                    "require_signature": True,
                    "require_payment": False,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "product_uom_qty": qty,
                                "price_unit": 800.0,
                                "tax_id": [Command.clear()],
                            }
                        )
                    ],
                },
                **values,
            )
        )

    def _sign(self, order):
        order.action_quotation_sent()
        return self.make_jsonrpc_request(
            f"/my/orders/{order.id}/accept",
            {
                "access_token": order._portal_ensure_token(),
                "name": "Customer Signer",
                "signature": SIGNATURE,
            },
        )

    def test_portal_signature_blocked_order_waits_for_release(self):
        order = self._quote(qty=2)
        self.assertEqual(order.credit_check_state, "blocked")
        result = self._sign(order)
        self.assertNotIn("error", result)
        self.assertTrue(result.get("force_refresh"))
        self.assertEqual(order.state, "sent")
        self.assertTrue(order.signature)
        release = order.credit_release_ids
        self.assertEqual(len(release), 1)
        self.assertEqual(release.state, "pending")
        self.assertIn("accepted the quotation online", release.request_comment)
        self.assertIn("exceed the credit limit", release.reason_lines)
        self.assertEqual(release.activity_ids.user_id, self.manager)

    def test_portal_signature_warn_confirms_and_notifies(self):
        self.customer.sudo().credit_control_policy = "warn"
        order = self._quote(qty=2)
        result = self._sign(order)
        self.assertNotIn("error", result)
        self.assertEqual(order.state, "sale")
        notes = order.message_ids.filtered(lambda m: "Confirmed despite a credit warning" in m.body)
        self.assertEqual(len(notes), 1)
        review = order.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("customer_credit.mail_act_credit_review")
        )
        self.assertEqual(review.user_id, self.manager)

    def test_portal_signature_within_limit_confirms(self):
        order = self._quote(qty=1)
        self._sign(order)
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.credit_release_ids)

    def test_online_payment_of_blocked_order(self):
        order = self._quote(
            qty=2, require_signature=False, require_payment=True, prepayment_percent=1.0
        )
        provider = (
            self.env["payment.provider"]
            .sudo()
            .create({"name": "Credit test provider", "code": "none", "state": "test"})
        )
        tx = (
            self.env["payment.transaction"]
            .sudo()
            .create(
                {
                    "provider_id": provider.id,
                    "payment_method_id": self.env.ref("payment.payment_method_unknown").id,
                    "amount": order.amount_total,
                    "currency_id": order.currency_id.id,
                    "partner_id": self.customer.id,
                    "reference": "CREDIT-TEST-1",
                    "sale_order_ids": [Command.set(order.ids)],
                    "state": "done",
                }
            )
        )
        # 1,600 paid online against a 1,000 limit: the payment covers the excess, the
        # order confirms under 'block' (the payment is posted right after confirmation)
        confirmed = tx._check_amount_and_confirm_order()
        self.assertEqual(confirmed, order)
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.credit_release_ids)

    def test_online_payment_of_blocked_order_too_small(self):
        """1,600 - 500 paid = 1,100 against 1,000: waits for a release, no error shown."""
        order = self._quote(
            qty=2, require_signature=False, require_payment=True, prepayment_percent=0.25
        )
        provider = (
            self.env["payment.provider"]
            .sudo()
            .create({"name": "Credit test provider", "code": "none", "state": "test"})
        )
        tx = (
            self.env["payment.transaction"]
            .sudo()
            .create(
                {
                    "provider_id": provider.id,
                    "payment_method_id": self.env.ref("payment.payment_method_unknown").id,
                    "amount": 500.0,
                    "currency_id": order.currency_id.id,
                    "partner_id": self.customer.id,
                    "reference": "CREDIT-TEST-2",
                    "sale_order_ids": [Command.set(order.ids)],
                    "state": "done",
                }
            )
        )
        confirmed = tx._check_amount_and_confirm_order()
        self.assertFalse(confirmed)
        self.assertIn(order.state, ("draft", "sent"))
        self.assertEqual(order.credit_release_ids.state, "pending")
        self.assertEqual(order.credit_release_ids.activity_ids.user_id, self.manager)
