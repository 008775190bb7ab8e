from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase
from odoo.tests import tagged

from .common_credit_approval import CreditApprovalUsersMixin
from .common_monitoring import CreditMonitoringCase
from .test_credit_agreement import CreditAgreementCommon


def failing_for(record, method_name, message):
    """Patch ``method_name`` of ``record``'s class: it raises for ``record`` only and
    runs the real method for the other records."""
    original = getattr(type(record), method_name)

    def side_effect(self, *args, **kwargs):
        if record.id in self.ids:
            raise ValueError(message)
        return original(self, *args, **kwargs)

    return patch.object(type(record), method_name, autospec=True, side_effect=side_effect)


@tagged("post_install", "-at_install")
class TestCronRobustness(TransactionCase, CreditAgreementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_agreement_data()
        cls.todo = cls.env.ref("mail.mail_activity_data_todo")

    def _todo_activities(self, record):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", record._name),
                ("res_id", "=", record.id),
                ("activity_type_id", "=", self.todo.id),
            ]
        )

    def _temporary_request(self, partner):
        partner.sudo().with_company(self.company).write(
            {"credit_limit": 20_000, "credit_manager_id": self.manager_2.id}
        )
        request = (
            self.env["customer.credit.limit.request"]
            .with_user(self.salesman)
            .create(
                {
                    "partner_id": partner.id,
                    "requested_limit": 80_000,
                    "reason": "Seasonal peak of orders",
                    "limit_type": "temporary",
                    "valid_until": date(2025, 3, 31),
                }
            )
        )
        request.with_user(self.salesman).action_submit()
        request.with_user(self.manager_1).action_approve()
        return request

    def test_failing_temporary_limit_does_not_stop_the_others(self):
        with freeze_time("2025-03-01"):
            failing = self._temporary_request(self.customer)
            reverted = self._temporary_request(self.customer_cn)
        Request = self.env["customer.credit.limit.request"]
        with (
            freeze_time("2025-04-01"),
            failing_for(failing, "_revert_temporary_limit", "Ledger locked"),
            self.assertLogs(level="WARNING") as logs,
        ):
            self.assertEqual(Request._cron_expire_temporary_limits(), 1)
        self.env.invalidate_all()
        self.assertEqual(reverted.state, "expired")
        self.assertEqual(self.customer_cn.with_company(self.company).credit_limit, 20_000)
        self.assertEqual(failing.state, "approved", "the failing request is left as it was")
        self.assertEqual(self.customer.with_company(self.company).credit_limit, 80_000)
        self.assertTrue(
            any(failing.name in line and "Ledger locked" in line for line in logs.output),
            logs.output,
        )
        activity = self._todo_activities(failing)
        self.assertEqual(activity.user_id, self.manager_2, "the customer's credit manager")
        self.assertIn("Expire temporary credit limits", activity.summary)
        self.assertIn("Ledger locked", str(activity.note))
        self.assertFalse(self._todo_activities(reverted))
        # The next run retries the request that failed.
        with freeze_time("2025-04-02"):
            self.assertEqual(Request._cron_expire_temporary_limits(), 1)
        self.assertEqual(failing.state, "expired")

    def test_failing_agreement_does_not_stop_the_others(self):
        with freeze_time("2025-02-01"):
            failing = self._agreement()
            expired = self._agreement(partner=self.customer_cn)
            failing.with_user(self.manager_2).action_activate()
            expired.with_user(self.manager_2).action_activate()
        Agreement = self.env["customer.credit.agreement"]
        with (
            freeze_time("2026-01-01"),
            failing_for(failing, "_expire", "Mail server down"),
            self.assertLogs(level="WARNING") as logs,
        ):
            Agreement._cron_expire_agreements()
        self.assertEqual(expired.state, "expired")
        self.assertEqual(failing.state, "active")
        self.assertTrue(
            any(failing.name in line and "Mail server down" in line for line in logs.output),
            logs.output,
        )
        activity = self._todo_activities(failing)
        self.assertEqual(len(activity), 1)
        self.assertIn("Expire credit agreements", activity.summary)
        self.assertIn("Mail server down", str(activity.note))
        manager_group = self.env.ref("customer_credit.group_credit_manager")
        self.assertIn(manager_group, activity.user_id.groups_id)
        self.assertFalse(self._todo_activities(expired))

    def test_failing_renewal_activity_does_not_stop_the_others(self):
        with freeze_time("2025-02-01"):
            failing = self._agreement()
            reminded = self._agreement(partner=self.customer_cn)
            failing.with_user(self.manager_2).action_activate()
            reminded.with_user(self.manager_2).action_activate()
        with (
            freeze_time("2025-12-01"),
            failing_for(failing, "_schedule_expiry_activity", "No responsible"),
            self.assertLogs(level="WARNING"),
        ):
            self.env["customer.credit.agreement"]._cron_expire_agreements()
        self.assertTrue(reminded.expiry_activity_scheduled)
        self.assertFalse(failing.expiry_activity_scheduled)
        self.assertIn("No responsible", str(self._todo_activities(failing).note))


@tagged("post_install", "-at_install")
class TestReconcileHookRobustness(CreditMonitoringCase):
    def test_failing_case_closing_never_blocks_the_payment(self):
        with freeze_time("2025-04-01"):
            invoice = self._invoice(self.customer, 400.0, self.d("2025-02-15"))
            case = self.env["customer.credit.collection.case"].create(
                {
                    "partner_id": self.customer.id,
                    "invoice_ids": [Command.set(invoice.ids)],
                    "user_id": self.manager.id,
                }
            )
            with (
                failing_for(case, "_close_if_paid", "Stage missing"),
                self.assertLogs(level="WARNING") as logs,
            ):
                self._pay(invoice, self.d("2025-04-01"))
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(invoice.amount_residual, 0.0)
        receivable = invoice.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertTrue(receivable.matched_credit_ids, "the payment is reconciled")
        self.assertFalse(case.is_closed, "the case closing was rolled back alone")
        self.assertTrue(any("Stage missing" in line for line in logs.output), logs.output)
        activity = self.env["mail.activity"].search(
            [("res_model", "=", case._name), ("res_id", "=", case.id)]
        )
        self.assertIn(self.manager, activity.user_id)


@tagged("post_install", "-at_install")
class TestEvaluationCompanyRules(TransactionCase, CreditApprovalUsersMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_credit_users()
        cls.company_b = cls.env["res.company"].create({"name": "Credit Company B"})
        cls.manager_b = cls.env["res.users"].create(
            {
                "name": "Manager Of B",
                "login": "cc_manager_b",
                "company_id": cls.company_b.id,
                "company_ids": [Command.set(cls.company_b.ids)],
                "groups_id": [
                    Command.set(
                        [
                            cls.env.ref("base.group_user").id,
                            cls.env.ref("customer_credit.group_credit_manager").id,
                        ]
                    )
                ],
            }
        )
        customer = cls.env["res.partner"].create({"name": "Evaluated A Ltd", "is_company": True})
        cls.evaluation = (
            cls.env["customer.credit.evaluation"]
            .with_user(cls.manager_1)
            .create(
                {
                    "partner_id": customer.id,
                    "date": date(2025, 6, 30),
                    "statement_ids": [
                        Command.create(
                            {
                                "period": "FY2024",
                                "date_end": date(2024, 12, 31),
                                "total_assets": 10_000_000,
                                "total_liabilities": 6_500_000,
                            }
                        )
                    ],
                }
            )
        )

    def test_other_company_cannot_read_the_evaluation_or_its_children(self):
        evaluation = self.evaluation.sudo()
        self.assertTrue(evaluation.statement_ids)
        self.assertTrue(evaluation.line_ids)
        self.assertEqual(evaluation.statement_ids.company_id, self.env.company)
        self.assertEqual(evaluation.line_ids.company_id, self.env.company)
        for records in (evaluation, evaluation.statement_ids, evaluation.line_ids):
            model = self.env[records._name]
            with self.subTest(model=records._name):
                with self.assertRaises(AccessError):
                    records.with_user(self.manager_b).read(["id"])
                self.assertFalse(
                    model.with_user(self.manager_b).search([("id", "in", records.ids)])
                )
                self.assertEqual(
                    records.with_user(self.manager_1).read(["id"])[0]["id"], records[0].id
                )
                self.assertEqual(
                    model.with_user(self.manager_1).search([("id", "in", records.ids)]), records
                )

    def test_scorecard_children_follow_their_scorecard(self):
        scorecard = self.env.ref("customer_credit.scorecard_default")
        self.assertEqual(scorecard.criterion_ids.company_id, scorecard.company_id)
        self.assertEqual(scorecard.criterion_ids.threshold_ids.company_id, scorecard.company_id)
        criteria = self.env["customer.credit.scorecard.criterion"].with_user(self.manager_b)
        self.assertEqual(
            criteria.search_count([("id", "in", scorecard.criterion_ids.ids)]),
            len(scorecard.criterion_ids) if not scorecard.company_id else 0,
        )
