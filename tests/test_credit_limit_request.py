from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import TransactionCase
from odoo.tests import tagged

from .common_credit_approval import CreditApprovalUsersMixin


@tagged("post_install", "-at_install")
class TestCreditLimitRequest(TransactionCase, CreditApprovalUsersMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_credit_users()
        cls.company = cls.env.company
        cls.company.credit_limit_director_threshold = 100_000
        cls.customer = cls.env["res.partner"].create({"name": "Requesting Co", "is_company": True})
        cls.customer.sudo().with_company(cls.company).write(
            {"credit_limit": 20_000, "credit_manager_id": cls.manager_2.id}
        )

    def _request(self, user, amount, **vals):
        return (
            self.env["customer.credit.limit.request"]
            .with_user(user)
            .create(
                dict(
                    {
                        "partner_id": self.customer.id,
                        "requested_limit": amount,
                        "reason": "Seasonal peak of orders",
                    },
                    **vals,
                )
            )
        )

    def _limit(self):
        self.customer.invalidate_recordset(["credit_limit"])
        return self.customer.with_company(self.company).credit_limit

    def _refuse(self, request, user, reason):
        action = request.with_user(user).action_refuse()
        wizard = Form(
            self.env[action["res_model"]].with_user(user).with_context(**action["context"])
        )
        wizard.reason = reason
        wizard.save().action_confirm()

    # ------------------------------------------------------------------ one approver

    def test_salesperson_request_one_manager_approves(self):
        request = self._request(self.salesman, 50_000)
        self.assertEqual(request.requested_by_id, self.salesman)
        self.assertEqual(request.current_limit, 20_000)
        self.assertFalse(request.director_required)
        request.with_user(self.salesman).action_submit()
        self.assertEqual(request.state, "to_approve")
        activity = request.activity_ids
        self.assertEqual(activity.user_id, self.manager_2, "the customer's credit manager")
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("customer_credit.mail_activity_type_credit_limit_approval"),
        )
        with self.assertRaises(UserError):
            request.with_user(self.salesman).requested_limit = 90_000
        # a salesperson cannot approve, not even someone else's request
        with self.assertRaises(AccessError):
            request.with_user(self.salesman).action_approve()
        self.assertFalse(request.with_user(self.salesman).user_can_approve)
        self.assertTrue(request.with_user(self.manager_1).user_can_approve)
        request.with_user(self.manager_1).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.manager_approver_id, self.manager_1)
        self.assertEqual(request.previous_limit, 20_000)
        self.assertEqual(self._limit(), 50_000)
        self.assertFalse(request.activity_ids)
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking values are written at commit time
        tracking = self.customer.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "credit_limit"
        )
        self.assertIn(50_000, tracking.mapped("new_value_float"), "the new limit is tracked")
        bodies = " ".join(request.message_ids.mapped("body"))
        self.assertIn("Submitted", bodies)
        self.assertIn("Approved by credit manager", bodies)
        self.assertIn("applied", bodies)

    def test_manager_cannot_approve_own_request(self):
        request = self._request(self.manager_1, 50_000)
        request.with_user(self.manager_1).action_submit()
        self.assertEqual(request.activity_ids.user_id, self.manager_2)
        with self.assertRaisesText(UserError, "another credit manager must"):
            request.with_user(self.manager_1).action_approve()
        with self.assertRaisesText(UserError, "another credit manager must"):
            request.with_user(self.manager_1)._action_refuse("no")
        # a director who asks cannot approve either
        own = self._request(self.director_1, 500_000)
        own.with_user(self.director_1).action_submit()
        with self.assertRaises(UserError):
            own.with_user(self.director_1).action_approve()
        self.assertEqual(self._limit(), 20_000)

    # ------------------------------------------------------------------ two approvers

    def test_above_threshold_needs_a_director(self):
        request = self._request(self.salesman, 250_000)
        self.assertTrue(request.director_required)
        request.with_user(self.salesman).action_submit()
        request.with_user(self.manager_2).action_approve()
        self.assertEqual(request.state, "to_approve", "the director has not approved yet")
        self.assertEqual(self._limit(), 20_000)
        activity = request.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertTrue(activity.user_id.has_group("customer_credit.group_credit_director"))
        # another plain manager cannot give the second approval
        with self.assertRaises(AccessError):
            request.with_user(self.manager_1).action_approve()
        request.with_user(self.director_1).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.director_approver_id, self.director_1)
        self.assertEqual(self._limit(), 250_000)

    def test_director_cannot_approve_twice(self):
        request = self._request(self.salesman, 250_000)
        request.with_user(self.salesman).action_submit()
        request.with_user(self.director_1).action_approve()
        self.assertEqual(request.manager_approver_id, self.director_1)
        # a second person: the oldest other director (the demo has one of its own)
        approver = request.activity_ids.user_id
        self.assertEqual(len(approver), 1)
        self.assertNotEqual(approver, self.director_1, "a second person")
        self.assertTrue(approver.has_group("customer_credit.group_credit_director"))
        with self.assertRaisesText(UserError, "already approved"):
            request.with_user(self.director_1).action_approve()
        request.with_user(self.director_2).action_approve()
        self.assertEqual(self._limit(), 250_000)

    def test_threshold_zero_means_managers_only(self):
        self.company.credit_limit_director_threshold = 0
        request = self._request(self.salesman, 5_000_000)
        self.assertFalse(request.director_required)

    # ------------------------------------------------------------------ refusal, cancel

    def test_refusal_carries_reason(self):
        request = self._request(self.salesman, 250_000)
        request.with_user(self.salesman).action_submit()
        request.with_user(self.manager_2).action_approve()
        self._refuse(request, self.director_2, "Overdue invoices since March")
        self.assertEqual(request.state, "refused")
        self.assertEqual(request.refusal_reason, "Overdue invoices since March")
        self.assertEqual(request.refused_by_id, self.director_2)
        self.assertFalse(request.activity_ids)
        self.assertIn("Overdue invoices since March", request.message_ids[0].body)
        self.assertEqual(self._limit(), 20_000)
        request.with_user(self.salesman).action_draft()
        self.assertEqual(request.state, "draft")
        self.assertFalse(request.manager_approver_id)

    def test_cancel(self):
        request = self._request(self.salesman, 50_000)
        request.with_user(self.salesman).action_submit()
        request.with_user(self.salesman).action_cancel()
        self.assertEqual(request.state, "cancelled")
        self.assertFalse(request.activity_ids)
        other = self._request(self.manager_1, 50_000)
        with self.assertRaises(AccessError):
            other.with_user(self.salesman).action_cancel()

    # ------------------------------------------------------------------ bad input

    def test_bad_input(self):
        with self.assertRaisesText(ValidationError, "cannot be negative"):
            self._request(self.salesman, -1)
        with self.assertRaisesText(ValidationError, "Valid Until"):
            self._request(self.salesman, 1000, limit_type="temporary")
        contact = self.env["res.partner"].create({"name": "Ann", "parent_id": self.customer.id})
        with self.assertRaisesText(ValidationError, "Requesting Co"):
            self._request(self.salesman, 1000, partner_id=contact.id)
        self.assertFalse(
            self.env["customer.credit.limit.request"].search(
                [("partner_id", "=", self.customer.id)]
            )
        )

    # ------------------------------------------------------------------ temporary limits

    def test_temporary_limit_reverts_at_expiry(self):
        with freeze_time("2025-03-01"):
            request = self._request(
                self.salesman, 80_000, limit_type="temporary", valid_until=date(2025, 3, 31)
            )
            request.with_user(self.salesman).action_submit()
            request.with_user(self.manager_1).action_approve()
            self.assertEqual(self._limit(), 80_000)
        Request = self.env["customer.credit.limit.request"]
        with freeze_time("2025-03-31"):
            self.assertEqual(Request._cron_expire_temporary_limits(), 0, "valid on its last day")
            self.assertEqual(self._limit(), 80_000)
        with freeze_time("2025-04-01"):
            self.assertEqual(Request._cron_expire_temporary_limits(), 1)
        self.assertEqual(request.state, "expired")
        self.assertEqual(self._limit(), 20_000)
        # The state change is tracked in a message of its own, posted after the note.
        self.assertIn("back to", request.message_ids.filtered("body")[0].body)
        with freeze_time("2025-04-02"):
            self.assertEqual(Request._cron_expire_temporary_limits(), 0, "once only")

    def test_temporary_limit_changed_since_is_kept(self):
        with freeze_time("2025-03-01"):
            request = self._request(
                self.salesman, 80_000, limit_type="temporary", valid_until=date(2025, 3, 31)
            )
            request.with_user(self.salesman).action_submit()
            request.with_user(self.manager_1).action_approve()
            self.customer.sudo().with_company(self.company).credit_limit = 90_000
        with freeze_time("2025-04-01"):
            self.env["customer.credit.limit.request"]._cron_expire_temporary_limits()
        self.assertEqual(request.state, "expired")
        self.assertEqual(self._limit(), 90_000)

    def test_temporary_limit_in_the_past_cannot_be_submitted(self):
        with freeze_time("2025-03-01"):
            request = self._request(
                self.salesman, 80_000, limit_type="temporary", valid_until=date(2025, 2, 1)
            )
            with self.assertRaisesText(UserError, "already have expired"):
                request.with_user(self.salesman).action_submit()

    def test_cron_is_scheduled(self):
        cron = self.env.ref("customer_credit.ir_cron_expire_temporary_limits")
        self.assertEqual(cron.code.strip(), "model._cron_expire_temporary_limits()")
        self.assertTrue(cron.active)
