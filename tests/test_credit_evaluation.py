from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import tagged

from ..tools.scorecard_math import recommended_limit
from .common_credit_approval import CreditApprovalUsersMixin

AS_OF = date(2025, 6, 30)


@tagged("post_install", "-at_install")
class TestCreditEvaluation(AccountTestInvoicingCommon, CreditApprovalUsersMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_credit_users()
        cls.customer = cls.env["res.partner"].create({"name": "Evaluated Ltd", "is_company": True})
        cls.customer.sudo().with_company(cls.env.company).credit_manager_id = cls.manager_2
        cls.scorecard = cls.env.ref("customer_credit.scorecard_default")

    # ------------------------------------------------------------------ helpers

    def _invoice(self, partner, invoice_date, due, amount, paid_on=None):
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": invoice_date,
                "invoice_date_due": due,
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Goods", "quantity": 1, "price_unit": amount, "tax_ids": []}
                    )
                ],
            }
        )
        move.action_post()
        if paid_on:
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=move.ids
            ).create({"payment_date": paid_on})._create_payments()
        return move

    def _full_inputs(self):
        return {
            "partner_id": self.customer.id,
            "date": AS_OF,
            "statement_ids": [
                Command.create(
                    {
                        "period": "FY2024",
                        "date_end": date(2024, 12, 31),
                        "current_assets": 3_000_000,
                        "total_assets": 10_000_000,
                        "current_liabilities": 2_000_000,
                        "total_liabilities": 6_500_000,
                        "revenue": 5_000_000,
                        "net_income": 250_000,
                        "operating_cash_flow": 500_000,
                    }
                ),
                Command.create(
                    {
                        "period": "FY2023",
                        "date_end": date(2023, 12, 31),
                        "current_assets": 1_000_000,
                        "total_assets": 9_000_000,
                        "current_liabilities": 2_000_000,
                        "total_liabilities": 8_000_000,
                        "revenue": 4_000_000,
                        "net_income": -50_000,
                        "operating_cash_flow": 100_000,
                    }
                ),
            ],
            "industry_risk": "2",
            "year_founded": 2012,
            "market_position": "established",
            "business_model": "recurring",
            "external_report_received": True,
            "bureau_name": "Dun & Bradstreet",
            "bureau_score": 78,
            "default_count": 0,
            "legal_case_count": 1,
        }

    def _evaluation(self, **vals):
        return (
            self.env["customer.credit.evaluation"]
            .with_user(self.manager_1)
            .create(dict(self._full_inputs(), **vals))
        )

    # ------------------------------------------------------------------ scorecard

    def test_shipped_scorecard(self):
        criteria = self.scorecard.criterion_ids
        self.assertEqual(len(criteria), 17)
        self.assertEqual(self.scorecard.total_weight, 100)
        weights = {
            family: sum(criteria.filtered(lambda c, f=family: c.family == f).mapped("weight"))
            for family in ("financial", "history", "business")
        }
        self.assertEqual(weights, {"financial": 40, "history": 35, "business": 25})
        self.assertEqual(
            self.env["customer.credit.scorecard"]._default_for_company(self.env.company),
            self.scorecard,
        )

    def test_scorecard_weights_must_add_up(self):
        Scorecard = self.env["customer.credit.scorecard"].with_user(self.manager_1)
        with self.assertRaisesText(ValidationError, "add up to 90.0; they must add up to 100"):
            Scorecard.create(
                {
                    "name": "Lopsided",
                    "criterion_ids": [
                        Command.create({"code": "current_ratio", "name": "CR", "weight": 60}),
                        Command.create({"code": "debt_ratio", "name": "DR", "weight": 30}),
                    ],
                }
            )
        self.assertFalse(Scorecard.search([("name", "=", "Lopsided")]))
        criterion = self.env.ref("customer_credit.scorecard_default_current_ratio").with_user(
            self.manager_1
        )
        with self.assertRaisesText(ValidationError, "must add up to 100"):
            criterion.weight = 12
        # moving weight between two criteria in one save is fine
        other = self.env.ref("customer_credit.scorecard_default_debt_ratio").with_user(
            self.manager_1
        )
        self.scorecard.with_user(self.manager_1).write(
            {
                "criterion_ids": [
                    Command.update(criterion.id, {"weight": 12}),
                    Command.update(other.id, {"weight": 6}),
                ]
            }
        )
        self.assertEqual(self.scorecard.total_weight, 100)
        with self.assertRaisesText(ValidationError, "must add up to 100"):
            other.unlink()

    # ------------------------------------------------------------------ history

    def test_history_metrics_from_invoices(self):
        self._invoice(self.customer, date(2023, 1, 10), date(2023, 2, 10), 500, date(2023, 2, 1))
        self._invoice(self.customer, date(2024, 9, 1), date(2024, 10, 1), 1000, date(2024, 9, 25))
        self._invoice(self.customer, date(2024, 11, 1), date(2024, 12, 1), 2000, date(2024, 12, 11))
        self._invoice(self.customer, date(2025, 5, 1), date(2025, 5, 31), 3000)
        newcomer = self.env["res.partner"].create({"name": "Newcomer", "is_company": True})
        evaluations = (
            self.env["customer.credit.evaluation"]
            .with_user(self.manager_1)
            .create(
                [
                    {"partner_id": self.customer.id, "date": AS_OF},
                    {"partner_id": newcomer.id, "date": AS_OF},
                ]
            )
        )
        known, new = evaluations
        self.assertEqual(known.invoice_count, 4)
        self.assertEqual(known.tenure_months, 29)
        # due in the last 12 months: on time, 10 days late, 30 days open past due
        self.assertAlmostEqual(known.on_time_payment_ratio, 33.33)
        self.assertAlmostEqual(known.average_days_late, 13.33)
        self.assertEqual(known.max_days_overdue, 30)
        self.assertAlmostEqual(known.average_monthly_sales, 500.0)
        self.assertTrue(known.history_has_due_invoices)
        self.assertFalse(new.history_has_invoices)
        self.assertEqual(new.invoice_count, 0)
        on_time = new.line_ids.filtered(
            lambda line: line.criterion_id.code == "on_time_payment_ratio"
        )
        self.assertTrue(on_time.missing)
        self.assertIn("On-time payments", new.missing_inputs)

    # ------------------------------------------------------------------ scoring

    def test_explained_score(self):
        evaluation = self._evaluation()
        self.assertEqual(evaluation.statement_period, "FY2024", "the latest period counts")
        self.assertAlmostEqual(evaluation.current_ratio, 1.5)
        self.assertAlmostEqual(evaluation.debt_ratio, 65.0)
        self.assertAlmostEqual(evaluation.net_margin, 5.0)
        self.assertAlmostEqual(evaluation.ocf_to_current_liabilities, 0.25)
        self.assertEqual(evaluation.annual_revenue, 5_000_000)
        self.assertEqual(len(evaluation.line_ids), 17)
        self.assertAlmostEqual(sum(evaluation.line_ids.mapped("contribution")), evaluation.score, 1)
        # no invoices: on-time ratio, days late, days overdue and tenure (22 % of the weight)
        self.assertEqual(evaluation.confidence, 78.0)
        self.assertEqual(evaluation.confidence_level, "medium")
        line = evaluation.line_ids.filtered(
            lambda line_: line_.criterion_id.code == "current_ratio"
        )
        self.assertEqual((line.value_display, line.points, line.weight), ("1.50", 80.0, 10.0))
        self.assertAlmostEqual(line.contribution, round(80 * 10 / 78, 2))
        position = evaluation.line_ids.filtered(
            lambda line_: line_.criterion_id.code == "market_position"
        )
        self.assertEqual((position.value_display, position.points), ("Established player", 75.0))
        grade = self.env["customer.credit.grade"]._grade_for_score(evaluation.score)
        self.assertEqual(evaluation.grade_id, grade)
        self.assertEqual(
            evaluation.recommended_limit,
            recommended_limit(
                5_000_000, 0, grade.limit_revenue_pct, grade.limit_sales_months, grade.limit_cap
            ),
        )
        self.assertTrue(evaluation.recommended_limit > 0)
        # changing an input rescores the draft
        before = evaluation.score
        evaluation.industry_risk = "5"
        self.assertLess(evaluation.score, before)

    def test_mandatory_inputs_block_submission(self):
        evaluation = (
            self.env["customer.credit.evaluation"]
            .with_user(self.manager_1)
            .create({"partner_id": self.customer.id, "date": AS_OF})
        )
        self.assertIn("Industry risk", evaluation.missing_mandatory_inputs)
        with self.assertRaisesText(UserError, "mandatory inputs are missing:\n.*Current ratio"):
            evaluation.action_submit()
        self.assertEqual(evaluation.state, "draft")

    def test_bad_inputs(self):
        with self.assertRaisesText(ValidationError, "current assets cannot exceed total assets"):
            self._evaluation(
                statement_ids=[
                    Command.create(
                        {
                            "period": "X",
                            "date_end": date(2024, 12, 31),
                            "current_assets": 10,
                            "total_assets": 5,
                        }
                    )
                ]
            )
        with self.assertRaisesText(ValidationError, "bureau score"):
            self._evaluation(bureau_score=120)
        contact = self.env["res.partner"].create({"name": "Bob", "parent_id": self.customer.id})
        with self.assertRaisesText(ValidationError, "Evaluate the company Evaluated Ltd"):
            self._evaluation(partner_id=contact.id)

    # ------------------------------------------------------------------ workflow

    def test_submit_approve_sets_partner_profile(self):
        evaluation = self._evaluation()
        evaluation.action_submit()
        self.assertEqual(evaluation.state, "submitted")
        activity = evaluation.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.manager_2, "the customer's credit manager")
        with self.assertRaises(UserError):
            evaluation.with_user(self.manager_1).industry_risk = "1"
        # the accounting test base disables tracking: turn it back on for the approval
        evaluation.with_user(self.manager_2).with_context(
            tracking_disable=False, mail_notrack=False
        ).action_approve()
        self.assertEqual(evaluation.state, "approved")
        self.assertEqual(evaluation.approved_by_id, self.manager_2)
        self.assertFalse(evaluation.activity_ids)
        partner = self.customer.with_company(self.env.company)
        self.assertEqual(partner.credit_score, evaluation.score)
        self.assertEqual(partner.credit_grade_id, evaluation.grade_id)
        self.assertEqual(
            partner.credit_review_date,
            AS_OF + relativedelta(months=evaluation.grade_id.review_months),
        )
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking values are written at commit time
        tracked = partner.message_ids.tracking_value_ids.mapped("field_id.name")
        self.assertIn("credit_grade_id", tracked)
        self.assertIn("credit_score", tracked)
        self.assertIn(evaluation, partner.credit_evaluation_ids)
        self.assertEqual(partner.credit_evaluation_count, 1)
        action = partner.action_view_credit_evaluations()
        self.assertEqual(action["domain"], [("partner_id", "=", self.customer.id)])
        with self.assertRaises(UserError):
            evaluation.unlink()
        # a limit request based on the evaluation, prefilled with the recommendation
        action = evaluation.action_request_limit()
        self.assertEqual(action["context"]["default_requested_limit"], evaluation.recommended_limit)

    def test_refuse_and_back_to_draft(self):
        evaluation = self._evaluation()
        evaluation.action_submit()
        action = evaluation.with_user(self.manager_2).action_refuse()
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(self.manager_2)
            .with_context(**action["context"])
        )
        wizard.reason = "Statements not audited"
        wizard.save().action_confirm()
        self.assertEqual(evaluation.state, "refused")
        self.assertEqual(evaluation.refusal_reason, "Statements not audited")
        self.assertFalse(evaluation.activity_ids)
        self.assertFalse(self.customer.with_company(self.env.company).credit_grade_id)
        evaluation.action_draft()
        self.assertEqual(evaluation.state, "draft")
        with self.assertRaises(UserError):
            evaluation.action_approve()

    def test_salesperson_cannot_evaluate_or_approve(self):
        evaluation = self._evaluation()
        evaluation.action_submit()
        as_salesman = evaluation.with_user(self.salesman)
        self.assertEqual(as_salesman.score, evaluation.score, "salespeople read evaluations")
        with self.assertRaises(AccessError):
            as_salesman.action_approve()
        with self.assertRaises(AccessError):
            self.env["customer.credit.evaluation"].with_user(self.salesman).create(
                {"partner_id": self.customer.id}
            )
        self.assertEqual(evaluation.state, "submitted")
