from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError

from ..tools.credit_history import history_from_row
from ..tools.credit_history import history_sql
from ..tools.scorecard_math import confidence_label
from ..tools.scorecard_math import financial_ratios
from ..tools.scorecard_math import recommended_limit
from ..tools.scorecard_math import score_criteria
from .customer_credit_scorecard_criterion import CODE_FAMILY

INDUSTRY_RISK_CLASSES = [
    ("1", "1 - Very low risk"),
    ("2", "2 - Low risk"),
    ("3", "3 - Average risk"),
    ("4", "4 - High risk"),
    ("5", "5 - Very high risk"),
]
MARKET_POSITIONS = [
    ("leader", "Market leader"),
    ("established", "Established player"),
    ("challenger", "Challenger / niche"),
    ("new", "New entrant"),
]
MARKET_POSITION_VALUES = {"leader": 4, "established": 3, "challenger": 2, "new": 1}
BUSINESS_MODELS = [
    ("recurring", "Recurring / contractual revenue"),
    ("transactional", "Transactional sales"),
    ("project", "Project-based revenue"),
]
BUSINESS_MODEL_VALUES = {"recurring": 3, "transactional": 2, "project": 1}

# Inputs whose change rescores a draft evaluation.
SCORING_FIELDS = {
    "scorecard_id",
    "statement_ids",
    "industry_risk",
    "year_founded",
    "market_position",
    "business_model",
    "external_report_received",
    "bureau_score",
    "default_count",
    "legal_case_count",
    "date",
    "partner_id",
    "company_id",
}


class CustomerCreditEvaluation(models.Model):
    _name = "customer.credit.evaluation"
    _description = "Credit Evaluation"
    _inherit = ["mail.thread", "mail.activity.mixin", "customer.credit.approval.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    # Results of the scoring and of the decision: computed or set by the actions only.
    _credit_workflow_fields = (
        "state",
        "submitted_by_id",
        "approved_by_id",
        "decision_date",
        "refusal_reason",
        "line_ids",
        "score",
        "grade_id",
        "confidence",
        "missing_inputs",
        "missing_mandatory_inputs",
        "recommended_limit",
        "recommended_limit_basis",
        "history_date",
        "history_has_invoices",
        "history_has_due_invoices",
        "invoice_count",
        "tenure_months",
        "on_time_payment_ratio",
        "average_days_late",
        "max_days_overdue",
        "average_monthly_sales",
        "statement_period",
        "current_ratio",
        "debt_ratio",
        "net_margin",
        "ocf_to_current_liabilities",
        "annual_revenue",
    )
    _credit_workflow_actions_hint = "Refresh, Submit, Approve, Refuse, Reset to Draft"

    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(
        "Evaluation Date", required=True, default=fields.Date.context_today, tracking=True
    )
    user_id = fields.Many2one(
        "res.users", "Evaluator", default=lambda self: self.env.user, tracking=True
    )
    scorecard_id = fields.Many2one(
        "customer.credit.scorecard",
        required=True,
        check_company=True,
        default=lambda self: self.env["customer.credit.scorecard"]._default_for_company(
            self.env.company
        ),
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("submitted", "Submitted"),
            ("approved", "Approved"),
            ("refused", "Refused"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )

    # Financial statements
    statement_ids = fields.One2many(
        "customer.credit.evaluation.statement", "evaluation_id", "Financial Statements", copy=True
    )
    statement_period = fields.Char("Latest Period", compute="_compute_financials", store=True)
    current_ratio = fields.Float(compute="_compute_financials", store=True)
    debt_ratio = fields.Float("Debt Ratio (%)", compute="_compute_financials", store=True)
    net_margin = fields.Float("Net Margin (%)", compute="_compute_financials", store=True)
    ocf_to_current_liabilities = fields.Float(
        "Operating Cash Flow / Current Liabilities", compute="_compute_financials", store=True
    )
    annual_revenue = fields.Monetary(compute="_compute_financials", store=True)

    # Business information
    industry_risk = fields.Selection(INDUSTRY_RISK_CLASSES, "Industry Risk Class")
    year_founded = fields.Integer("Founded In (year)")
    years_in_business = fields.Integer(compute="_compute_years_in_business")
    market_position = fields.Selection(MARKET_POSITIONS)
    business_model = fields.Selection(BUSINESS_MODELS)
    business_notes = fields.Text()

    # External report
    external_report_received = fields.Boolean(
        help="Tick when a credit bureau report is at hand: its score, defaults and legal "
        "cases then count in the score.",
    )
    bureau_name = fields.Char("Credit Bureau")
    external_report_date = fields.Date("Report Date")
    bureau_score = fields.Integer("Bureau Score (0-100)")
    default_count = fields.Integer("Defaults")
    legal_case_count = fields.Integer("Legal Cases")
    external_notes = fields.Text("Report Notes")

    # Credit history, derived from the company's own invoices
    history_date = fields.Date("History As Of", readonly=True, copy=False)
    history_has_invoices = fields.Boolean(readonly=True, copy=False)
    history_has_due_invoices = fields.Boolean(readonly=True, copy=False)
    invoice_count = fields.Integer("Invoices", readonly=True, copy=False)
    tenure_months = fields.Integer("Customer Since (months)", readonly=True, copy=False)
    on_time_payment_ratio = fields.Float(
        "On-Time Payments (%)",
        readonly=True,
        copy=False,
        help="Invoices due in the last 12 months.",
    )
    average_days_late = fields.Float(readonly=True, copy=False)
    max_days_overdue = fields.Integer("Maximum Days Overdue", readonly=True, copy=False)
    average_monthly_sales = fields.Monetary(
        readonly=True, copy=False, help="Invoiced sales of the last 12 months / 12."
    )

    # Result
    line_ids = fields.One2many(
        "customer.credit.evaluation.line", "evaluation_id", "Explanation", readonly=True, copy=False
    )
    score = fields.Float(readonly=True, copy=False, tracking=True, aggregator="avg")
    grade_id = fields.Many2one("customer.credit.grade", readonly=True, copy=False, tracking=True)
    confidence = fields.Float("Confidence (%)", readonly=True, copy=False)
    confidence_level = fields.Selection(
        [("high", "High"), ("medium", "Medium"), ("low", "Low")],
        compute="_compute_confidence_level",
    )
    missing_inputs = fields.Text(readonly=True, copy=False)
    missing_mandatory_inputs = fields.Text(readonly=True, copy=False)
    recommended_limit = fields.Monetary(readonly=True, copy=False, tracking=True)
    recommended_limit_basis = fields.Char("Recommendation Basis", readonly=True, copy=False)
    current_limit = fields.Monetary(
        compute="_compute_current_limit", help="The customer's limit today."
    )

    submitted_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    approved_by_id = fields.Many2one(
        "res.users", "Decided By", readonly=True, copy=False, tracking=True
    )
    decision_date = fields.Datetime(readonly=True, copy=False)
    refusal_reason = fields.Text(readonly=True, copy=False, tracking=True)
    limit_request_ids = fields.One2many(
        "customer.credit.limit.request", "evaluation_id", "Limit Requests"
    )

    # ------------------------------------------------------------------ computes

    @api.depends(
        "statement_ids.date_end",
        "statement_ids.current_assets",
        "statement_ids.total_assets",
        "statement_ids.current_liabilities",
        "statement_ids.total_liabilities",
        "statement_ids.revenue",
        "statement_ids.net_income",
        "statement_ids.operating_cash_flow",
    )
    def _compute_financials(self):
        for evaluation in self:
            latest = evaluation._latest_statement()
            ratios = financial_ratios(latest._figures() if latest else None)
            evaluation.statement_period = latest.period if latest else False
            for name, value in ratios.items():
                evaluation[name] = value or 0.0

    @api.depends("year_founded", "date")
    def _compute_years_in_business(self):
        for evaluation in self:
            year = evaluation.year_founded
            evaluation.years_in_business = (
                max(evaluation.date.year - year, 0) if year and evaluation.date else 0
            )

    @api.depends("confidence")
    def _compute_confidence_level(self):
        for evaluation in self:
            evaluation.confidence_level = confidence_label(evaluation.confidence)

    @api.depends("partner_id", "company_id")
    def _compute_current_limit(self):
        for evaluation in self:
            evaluation.current_limit = (
                evaluation.partner_id.sudo().with_company(evaluation.company_id).credit_limit
            )

    def _latest_statement(self):
        self.ensure_one()
        return self.statement_ids.sorted(lambda s: (s.date_end, s.id), reverse=True)[:1]

    # ------------------------------------------------------------------ constraints

    @api.constrains("partner_id")
    def _check_partner_commercial(self):
        self._credit_check_commercial_partner(
            lambda company, contact: self.env._(
                "Evaluate the company %(company)s rather than its contact %(contact)s: "
                "credit is granted to the company.",
                company=company,
                contact=contact,
            )
        )

    @api.constrains("bureau_score", "default_count", "legal_case_count", "year_founded")
    def _check_external_inputs(self):
        for evaluation in self:
            if not 0 <= evaluation.bureau_score <= 100:
                raise ValidationError(
                    self.env._("The bureau score must be between 0 and 100 (normalised).")
                )
            if evaluation.default_count < 0 or evaluation.legal_case_count < 0:
                raise ValidationError(
                    self.env._("The numbers of defaults and legal cases cannot be negative.")
                )
            if evaluation.year_founded and not (
                1800 <= evaluation.year_founded <= evaluation.date.year
            ):
                raise ValidationError(
                    self.env._(
                        "The founding year %(year)s is not plausible: enter a year between "
                        "1800 and the evaluation year.",
                        year=evaluation.year_founded,
                    )
                )

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        self._credit_assign_sequence(vals_list, "customer.credit.evaluation")
        evaluations = super().create(vals_list)
        evaluations._refresh_history()
        evaluations._compute_scoring()
        return evaluations

    def write(self, vals):
        if set(vals) & (SCORING_FIELDS - {"statement_ids"}) or "statement_ids" in vals:
            locked = self.filtered(lambda e: e.state != "draft")
            if locked:
                raise UserError(
                    self.env._(
                        "Evaluation %(name)s is %(state)s: its inputs can no longer change. "
                        "Reset it to draft or start a new evaluation.",
                        name=locked[0].name,
                        state=dict(self._fields["state"]._description_selection(self.env))[
                            locked[0].state
                        ],
                    )
                )
        result = super().write(vals)
        if set(vals) & SCORING_FIELDS:
            if {"partner_id", "company_id", "date"} & set(vals):
                self._refresh_history()
            self._compute_scoring()
        return result

    def unlink(self):
        if any(e.state == "approved" for e in self):
            raise UserError(
                self.env._(
                    "An approved evaluation is part of the customer's credit history and "
                    "cannot be deleted."
                )
            )
        return super().unlink()

    # ------------------------------------------------------------------ history

    def _refresh_history(self):
        """Fill the credit-history metrics from posted invoices, one query for the batch."""
        if not self:
            return
        self.env["account.move"].flush_model(
            [
                "commercial_partner_id",
                "company_id",
                "state",
                "move_type",
                "invoice_date",
                "invoice_date_due",
                "amount_total_signed",
                "amount_residual",
                "payment_state",
            ]
        )
        self.env["account.move.line"].flush_model(["move_id", "display_type"])
        self.env["account.partial.reconcile"].flush_model(["debit_move_id", "max_date"])
        requests = [(e.id, e.partner_id.id, e.company_id.id, e.date) for e in self]
        rows = {row[0]: row for row in self.env.execute_query(history_sql(requests))}
        for evaluation in self:
            metrics = history_from_row(rows[evaluation.id], evaluation.date)
            evaluation._credit_workflow_write(
                {
                    "history_date": evaluation.date,
                    "history_has_invoices": metrics["tenure_months"] is not None,
                    "history_has_due_invoices": metrics["on_time_payment_ratio"] is not None,
                    "invoice_count": metrics["invoice_count"],
                    "tenure_months": metrics["tenure_months"] or 0,
                    "on_time_payment_ratio": metrics["on_time_payment_ratio"] or 0.0,
                    "average_days_late": metrics["average_days_late"] or 0.0,
                    "max_days_overdue": metrics["max_days_overdue"] or 0,
                    "average_monthly_sales": metrics["average_monthly_sales"],
                }
            )

    def action_refresh(self):
        """Re-read the payment history and rescore (draft evaluations)."""
        # the scoring writes as the system: only who may edit the evaluation refreshes it
        self.check_access("write")
        drafts = self.filtered(lambda e: e.state == "draft")
        drafts._refresh_history()
        drafts._compute_scoring()
        return True

    # ------------------------------------------------------------------ scoring

    def _criterion_values(self):
        """{criterion code: value or None when the input is missing}."""
        self.ensure_one()
        latest = self._latest_statement()
        values = financial_ratios(latest._figures() if latest else None)
        has_due = self.history_has_due_invoices
        external = self.external_report_received
        values.update(
            {
                "on_time_payment_ratio": self.on_time_payment_ratio if has_due else None,
                "average_days_late": self.average_days_late if has_due else None,
                "max_days_overdue": float(self.max_days_overdue) if has_due else None,
                "tenure_months": (float(self.tenure_months) if self.history_has_invoices else None),
                "invoice_count": float(self.invoice_count),
                "bureau_score": float(self.bureau_score) if external else None,
                "default_count": float(self.default_count) if external else None,
                "legal_case_count": float(self.legal_case_count) if external else None,
                "industry_risk": float(self.industry_risk) if self.industry_risk else None,
                "years_in_business": (float(self.years_in_business) if self.year_founded else None),
                "market_position": (
                    float(MARKET_POSITION_VALUES[self.market_position])
                    if self.market_position
                    else None
                ),
                "business_model": (
                    float(BUSINESS_MODEL_VALUES[self.business_model])
                    if self.business_model
                    else None
                ),
            }
        )
        return values

    def _value_display(self, code, value):
        if value is None:
            return self.env._("missing")
        if code == "industry_risk":
            return dict(INDUSTRY_RISK_CLASSES)[self.industry_risk]
        if code == "market_position":
            return dict(self._fields["market_position"]._description_selection(self.env))[
                self.market_position
            ]
        if code == "business_model":
            return dict(self._fields["business_model"]._description_selection(self.env))[
                self.business_model
            ]
        if code == "annual_revenue":
            return self.currency_id.format(value)
        if float(value).is_integer():
            return str(int(value))
        return f"{value:.2f}"

    # super() is only used to write the results: nothing to return.
    def _compute_scoring(self):  # pylint: disable=missing-return
        """Score, grade, explanation lines, missing inputs and recommended limit."""
        Line = self.env["customer.credit.evaluation.line"].sudo()
        for evaluation in self:
            criteria = evaluation.scorecard_id.criterion_ids
            values = evaluation._criterion_values()
            result = score_criteria(
                [
                    {
                        "code": c.code,
                        "weight": c.weight,
                        "value": values.get(c.code),
                        "thresholds": c._thresholds(),
                        "mandatory": c.mandatory,
                    }
                    for c in criteria
                ]
            )
            evaluation.line_ids.sudo().unlink()
            line_vals = []
            for criterion, line in zip(criteria, result["lines"], strict=True):
                line_vals.append(
                    {
                        "evaluation_id": evaluation.id,
                        "criterion_id": criterion.id,
                        "sequence": criterion.sequence,
                        "name": criterion.name,
                        "family": criterion.family or CODE_FAMILY.get(criterion.code),
                        "value": line["value"] or 0.0,
                        "value_display": evaluation._value_display(criterion.code, line["value"]),
                        "points": line["points"] or 0.0,
                        "weight": line["weight"],
                        "contribution": line["contribution"],
                        "missing": line["missing"],
                        "mandatory": line["mandatory"],
                    }
                )
            Line.create(line_vals)
            names = {c.code: c.name for c in criteria}
            grade = (
                self.env["customer.credit.grade"]._grade_for_score(
                    result["score"], evaluation.company_id
                )
                if criteria
                else self.env["customer.credit.grade"]
            )
            limit, basis = evaluation._recommend_limit(grade)
            evaluation._credit_workflow_write(
                {
                    "score": result["score"],
                    "confidence": result["confidence"],
                    "grade_id": grade.id,
                    "missing_inputs": "\n".join(names[code] for code in result["missing"]) or False,
                    "missing_mandatory_inputs": "\n".join(
                        names[code] for code in result["missing_mandatory"]
                    )
                    or False,
                    "recommended_limit": limit,
                    "recommended_limit_basis": basis,
                }
            )

    def _recommend_limit(self, grade):
        self.ensure_one()
        if not grade:
            return 0.0, False
        revenue = self.annual_revenue or None
        sales = self.average_monthly_sales or None
        limit = recommended_limit(
            revenue,
            sales,
            grade.limit_revenue_pct,
            grade.limit_sales_months,
            grade.limit_cap,
        )
        basis = self.env._(
            "Grade %(grade)s: lowest of %(pct)s%% of annual revenue, %(months)s months of "
            "average sales and a cap of %(cap)s",
            grade=grade.code,
            pct=grade.limit_revenue_pct,
            months=grade.limit_sales_months,
            cap=self.currency_id.format(grade.limit_cap) if grade.limit_cap else "-",
        )
        return limit, basis

    # ------------------------------------------------------------------ workflow

    def action_submit(self):
        """Submit for approval: every mandatory input must be there."""
        # the state is written as the system: only who may edit the evaluation submits it
        self.check_access("write")
        for evaluation in self:
            if evaluation.state != "draft":
                raise UserError(self.env._("Only draft evaluations can be submitted."))
            if not evaluation.scorecard_id.criterion_ids:
                raise UserError(
                    self.env._(
                        "Scorecard %(name)s has no criteria: add criteria before you "
                        "evaluate customers with it.",
                        name=evaluation.scorecard_id.name,
                    )
                )
        self._refresh_history()
        self._compute_scoring()
        for evaluation in self:
            if evaluation.missing_mandatory_inputs:
                raise UserError(
                    self.env._(
                        "Evaluation %(name)s cannot be submitted: these mandatory inputs are "
                        "missing:\n%(missing)s\nEnter them and submit again.",
                        name=evaluation.name,
                        missing=evaluation.missing_mandatory_inputs,
                    )
                )
            evaluation._credit_workflow_write(
                {"state": "submitted", "submitted_by_id": self.env.uid}
            )
            approver = self._credit_pick_approver(
                "customer_credit.group_credit_manager",
                evaluation.partner_id,
                evaluation.company_id,
                exclude=evaluation._credit_preparers(),
            )
            if not approver:
                evaluation.message_post(
                    body=self.env._(
                        "Nobody can approve %(name)s yet: the approver must be a credit "
                        "manager who did not prepare or submit it. The evaluation waits "
                        "until there is one or the company names a deputy approver "
                        "(Settings > Customer Credit).",
                        name=evaluation.name,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
            else:
                evaluation.activity_schedule(
                    "customer_credit.mail_activity_type_credit_evaluation_approval",
                    user_id=approver.id,
                    note=self.env._(
                        "Score %(score)s, grade %(grade)s, confidence %(confidence)s%%: "
                        "approve or refuse the evaluation.",
                        score=evaluation.score,
                        grade=evaluation.grade_id.code or "-",
                        confidence=evaluation.confidence,
                    ),
                )
        return True

    def _credit_preparers(self):
        """Who prepared or submitted the evaluation: they never decide on it."""
        self.ensure_one()
        return super()._credit_preparers() | self.user_id | self.submitted_by_id

    def action_approve(self):
        """Approve: the customer gets the score, the grade and the next review date."""
        for evaluation in self:
            if evaluation.state != "submitted":
                raise UserError(self.env._("Only submitted evaluations can be approved."))
        self._credit_check_decider(
            lambda evaluation: evaluation._credit_preparers(),
            self.env._("approve credit evaluations"),
        )
        for evaluation in self:
            if not evaluation.grade_id:
                raise UserError(
                    self.env._(
                        "No grade covers score %(score)s: fix the grade ranges first.",
                        score=evaluation.score,
                    )
                )
            evaluation._credit_workflow_write(
                {
                    "state": "approved",
                    "approved_by_id": self.env.uid,
                    "decision_date": fields.Datetime.now(),
                }
            )
            grade = evaluation.grade_id
            review = evaluation.date + relativedelta(months=grade.review_months or 12)
            evaluation.partner_id.sudo().with_company(evaluation.company_id).with_context(
                credit_decision_source=f"{evaluation._name},{evaluation.id}"
            ).write(
                {
                    "credit_score": evaluation.score,
                    "credit_grade_id": grade.id,
                    "credit_review_date": review,
                }
            )
            evaluation._credit_close_activities(
                "customer_credit.mail_activity_type_credit_evaluation_approval",
                feedback=self.env._("Approved"),
            )
            evaluation.partner_id.sudo().message_post(
                body=self.env._(
                    "Credit evaluation %(name)s approved: score %(score)s, grade %(grade)s, "
                    "next review on %(review)s.",
                    name=evaluation.name,
                    score=evaluation.score,
                    grade=grade.display_name,
                    review=review,
                ),
                subtype_xmlid="mail.mt_note",
            )
            evaluation._credit_record_decision(
                "evaluation_approved",
                evaluation.partner_id,
                evaluation.company_id,
                new=f"{evaluation.score} / {grade.code}",
                comment=evaluation.recommended_limit_basis,
                source=evaluation,
            )
        return True

    def _action_refuse(self, reason):
        for evaluation in self:
            if evaluation.state != "submitted":
                raise UserError(self.env._("Only submitted evaluations can be refused."))
        self._credit_check_decider(
            lambda evaluation: evaluation._credit_preparers(),
            self.env._("refuse credit evaluations"),
        )
        for evaluation in self:
            evaluation._credit_workflow_write(
                {
                    "state": "refused",
                    "refusal_reason": reason,
                    "approved_by_id": self.env.uid,
                    "decision_date": fields.Datetime.now(),
                }
            )
            evaluation._credit_close_activities(
                "customer_credit.mail_activity_type_credit_evaluation_approval",
                feedback=self.env._("Refused: %(reason)s", reason=reason),
            )
            evaluation._credit_record_decision(
                "evaluation_refused",
                evaluation.partner_id,
                evaluation.company_id,
                new=f"{evaluation.score} / {evaluation.grade_id.code or '-'}",
                comment=reason,
                source=evaluation,
            )
        return True

    def action_refuse(self):
        return self.env["customer.credit.refuse.wizard"]._open_for(self)

    def action_draft(self):
        """Back to draft (refused or submitted evaluations) to correct the inputs."""
        # the state is written as the system: only who may edit the evaluation reopens it
        self.check_access("write")
        for evaluation in self:
            if evaluation.state not in ("submitted", "refused"):
                raise UserError(
                    self.env._("Only submitted or refused evaluations go back to draft.")
                )
        self._credit_close_activities(
            "customer_credit.mail_activity_type_credit_evaluation_approval",
            feedback=self.env._("Reset to draft"),
        )
        self._credit_workflow_write(
            {"state": "draft", "refusal_reason": False, "approved_by_id": False}
        )
        return True

    def action_request_limit(self):
        """Open a limit request for the recommended limit of this approved evaluation."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Limit Request"),
            "res_model": "customer.credit.limit.request",
            "view_mode": "form",
            "context": {
                "default_partner_id": self.partner_id.id,
                "default_company_id": self.company_id.id,
                "default_evaluation_id": self.id,
                "default_requested_limit": self.recommended_limit,
            },
        }
