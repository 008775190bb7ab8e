from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common_sale_credit import CreditSaleCommon


@tagged("post_install", "-at_install")
class TestCreditRelease(CreditSaleCommon):
    def _request(self, order, comment="Big customer, payment promised Friday", user=None):
        user = user or self.salesman
        action = order.with_user(user).with_context(credit_interactive=True).action_confirm()
        wizard = Form(
            self.env["customer.credit.release.request"]
            .with_user(user)
            .with_context(**action["context"])
        )
        wizard.comment = comment
        wizard.save().action_request()
        return order.credit_release_ids.filtered(lambda r: r.state == "pending")

    def _approval_activities(self, release):
        return release.activity_ids.filtered(
            lambda a: (
                a.activity_type_id
                == self.env.ref("customer_credit.mail_act_credit_release_approval")
            )
        )

    def test_request_records_snapshot_and_schedules_customer_manager(self):
        self.customer.with_company(self.company).sudo().credit_manager_id = self.manager
        order = self._quote(qty=12, user=self.salesman)
        release = self._request(order)
        self.assertEqual(len(release), 1)
        self.assertRecordValues(
            release,
            [
                {
                    "state": "pending",
                    "amount_total": 12000.0,
                    "currency_id": self.currency.id,
                    "partner_id": self.customer.id,
                    "requester_id": self.salesman.id,
                    "reason_codes": "over_limit",
                    "request_comment": "Big customer, payment promised Friday",
                }
            ],
        )
        self.assertIn(f"exceed the credit limit by {self.fmt(2000)}", release.reason_lines)
        self.assertTrue(release.request_date)
        self.assertEqual(self._approval_activities(release).user_id, self.manager)
        self.assertIn("Credit release requested by Sally Sales", order.message_ids[0].body)
        self.assertIn("Credit release requested by Sally Sales", self.customer.message_ids[0].body)
        self.assertFalse(order.with_user(self.salesman).credit_release_pending is False)

    def test_no_customer_manager_asks_every_manager(self):
        order = self._quote(qty=12, user=self.salesman)
        release = self._request(order)
        users = self._approval_activities(release).user_id
        self.assertIn(self.manager, users)
        self.assertIn(self.manager2, users)
        self.assertNotIn(self.salesman, users)

    def test_request_without_comment_is_refused(self):
        order = self._quote(qty=12, user=self.salesman)
        wizard = (
            self.env["customer.credit.release.request"]
            .with_user(self.salesman)
            .create({"order_id": order.id, "comment": "   "})
        )
        with self.assertRaisesRegex(UserError, "Explain why"):
            wizard.action_request()
        with self.assertRaisesRegex(ValidationError, "Explain why"):
            self.env["customer.credit.release"].with_user(self.salesman).create(
                {"order_id": order.id, "request_comment": "", "reason_codes": "over_limit"}
            )
        self.assertFalse(order.credit_release_ids)
        self.assertFalse(
            self.env["mail.activity"].search([("res_model", "=", "customer.credit.release")])
        )

    def test_approved_release_confirms_once(self):
        order = self._quote(qty=12, user=self.salesman)
        release = self._request(order)
        with self.assertRaisesRegex(UserError, "exceed the credit limit"):
            order.with_user(self.salesman).action_confirm()
        release.with_user(self.manager).action_approve("Known customer, OK this once")
        self.assertRecordValues(
            release,
            [
                {
                    "state": "approved",
                    "decided_by_id": self.manager.id,
                    "decision_comment": "Known customer, OK this once",
                }
            ],
        )
        self.assertTrue(release.decided_on)
        self.assertFalse(self._approval_activities(release))
        self.assertIn("can be confirmed once", order.credit_banner)
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(release.state, "used")
        self.assertIn(
            "confirmed with the credit release approved by Max Manager", order.message_ids[0].body
        )
        # once only: back to quotation, blocked again
        order.with_context(disable_cancel_warning=True).action_cancel()
        order.action_draft()
        with self.assertRaisesRegex(UserError, "exceed the credit limit"):
            order.action_confirm()

    def test_decision_wizard(self):
        order = self._quote(qty=12, user=self.salesman)
        release = self._request(order)
        action = (
            release.with_user(self.manager)
            .with_context(credit_decision="refuse")
            .action_open_decision()
        )
        wizard = Form(
            self.env[action["res_model"]].with_user(self.manager).with_context(**action["context"])
        )
        self.assertEqual(wizard.decision, "refuse")
        wizard.comment = "Too much overdue"
        wizard.save().action_confirm_decision()
        self.assertEqual(release.state, "refused")
        self.assertIn("refused by Max Manager: Too much overdue", order.message_ids[0].body)
        with self.assertRaisesRegex(UserError, "exceed the credit limit"):
            order.action_confirm()

    def test_requester_cannot_approve_own_request(self):
        order = self._quote(qty=12, user=self.manager)
        release = self._request(order, user=self.manager)
        with self.assertRaisesRegex(UserError, "another credit manager"):
            release.with_user(self.manager).action_approve("Mine")
        self.assertFalse(release.with_user(self.manager).can_decide)
        self.assertTrue(release.with_user(self.manager2).can_decide)
        self.assertNotIn(self.manager, self._approval_activities(release).user_id)
        release.with_user(self.manager2).action_approve("Fine")
        self.assertEqual(release.state, "approved")

    def test_salesman_cannot_approve(self):
        order = self._quote(qty=12, user=self.salesman)
        release = self._request(order)
        other_salesman = new_test_user(
            self.env,
            login="other_sales",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        with self.assertRaises(AccessError):
            release.with_user(other_salesman).action_approve("I approve myself")
        with self.assertRaises(AccessError):
            release.with_user(other_salesman).write({"state": "approved"})
        self.assertEqual(release.state, "pending")

    def test_decided_or_void_release_cannot_be_approved(self):
        order = self._quote(qty=12, user=self.salesman)
        release = self._request(order)
        with self.assertRaisesRegex(UserError, "Give a comment"):
            release.with_user(self.manager).action_approve("  ")
        release.with_user(self.manager).action_refuse("No")
        with self.assertRaisesRegex(UserError, "is refused: only a pending release"):
            release.with_user(self.manager2).action_approve("Yes after all")
        self.assertEqual(release.state, "refused")
        release2 = self._request(order, comment="Second try")
        order.with_user(self.salesman).write(
            {"order_line": [Command.update(order.order_line.id, {"product_uom_qty": 13})]}
        )
        self.assertEqual(release2.state, "void")
        with self.assertRaisesRegex(UserError, "is void: only a pending release"):
            release2.with_user(self.manager).action_approve("Yes")
        self.assertEqual(release2.state, "void")
        self.assertFalse(release2.decided_by_id)

    def test_changes_after_approval_void_the_release(self):
        term = self.env.ref("account.account_payment_term_30days")
        for change in (
            {
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "price_unit": 10.0,
                            "tax_id": [Command.clear()],
                        }
                    )
                ]
            },
            {"payment_term_id": term.id},
            {"partner_id": self._credit_partner("Other Ltd", limit=1.0).id},
        ):
            order = self._quote(qty=12, user=self.salesman)
            release = self._request(order)
            release.with_user(self.manager).action_approve("OK")
            order.with_user(self.salesman).write(change)
            self.assertEqual(release.state, "void", change)
            self.assertIn("Credit release void", order.message_ids[0].body)
            with self.assertRaises(UserError):
                order.with_user(self.salesman).action_confirm()
            self.assertEqual(order.state, "draft")

    def test_line_edit_outside_order_write_voids_at_confirmation(self):
        order = self._quote(qty=12, user=self.salesman)
        release = self._request(order)
        release.with_user(self.manager).action_approve("OK")
        order.order_line.with_user(self.salesman).product_uom_qty = 20
        with self.assertRaisesRegex(UserError, "exceed the credit limit"):
            order.with_user(self.salesman).action_confirm()
        # nothing half-written: the error rolls back; the release is still stale
        self.assertNotEqual(order.state, "sale")

    def test_new_reason_after_approval_blocks_again(self):
        order = self._quote(qty=12, user=self.salesman)
        release = self._request(order)
        release.with_user(self.manager).action_approve("OK")
        self.customer.with_company(self.company).sudo().write(
            {"credit_hold": True, "credit_hold_reason": "Lawsuit"}
        )
        with self.assertRaisesRegex(UserError, "credit hold: Lawsuit"):
            order.with_user(self.salesman).action_confirm()
        self.assertEqual(release.state, "approved")

    def test_release_list_filters_and_company_rule(self):
        order = self._quote(qty=12, user=self.salesman)
        pending = self._request(order)
        Release = self.env["customer.credit.release"].with_user(self.manager)
        self.assertIn(pending, Release.search([("state", "=", "pending")]))
        other_company = self.setup_other_company(name="Credit Other Co")["company"]
        self.assertNotIn(other_company, self.manager.company_ids)
        other_company.write({"credit_control_enabled": True, "credit_policy_default": "block"})
        other_partner = self.env["res.partner"].create({"name": "Elsewhere"})
        other_order = (
            self.env["sale.order"]
            .with_company(other_company)
            .create(
                {
                    "partner_id": other_partner.id,
                    "company_id": other_company.id,
                    "order_line": [
                        Command.create({"product_id": self.product.id, "price_unit": 5.0})
                    ],
                }
            )
        )
        other_release = (
            self.env["customer.credit.release"]
            .sudo()
            .create({"order_id": other_order.id, "request_comment": "x"})
        )
        self.assertNotIn(other_release, Release.search([]))
        self.assertEqual(Release.search_count([("id", "=", other_release.id)]), 0)
