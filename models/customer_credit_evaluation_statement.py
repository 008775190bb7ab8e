from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError

FIGURES = (
    "current_assets",
    "total_assets",
    "current_liabilities",
    "total_liabilities",
    "revenue",
    "net_income",
    "operating_cash_flow",
)


class CustomerCreditEvaluationStatement(models.Model):
    _name = "customer.credit.evaluation.statement"
    _description = "Credit Evaluation Financial Statement"
    _order = "evaluation_id, date_end desc, id desc"

    evaluation_id = fields.Many2one(
        "customer.credit.evaluation", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="evaluation_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="evaluation_id.currency_id")
    period = fields.Char(required=True, help="e.g. FY2024")
    date_end = fields.Date("Period End", required=True)
    audited = fields.Boolean()
    # Balance sheet
    current_assets = fields.Monetary()
    total_assets = fields.Monetary()
    current_liabilities = fields.Monetary()
    total_liabilities = fields.Monetary()
    equity = fields.Monetary(compute="_compute_equity")
    # Income statement (12 months)
    revenue = fields.Monetary()
    net_income = fields.Monetary()
    # Cash-flow statement
    operating_cash_flow = fields.Monetary()

    @api.depends("total_assets", "total_liabilities")
    def _compute_equity(self):
        for statement in self:
            statement.equity = statement.total_assets - statement.total_liabilities

    @api.constrains(*FIGURES)
    def _check_figures(self):
        for statement in self:
            if (
                min(
                    statement.current_assets,
                    statement.total_assets,
                    statement.current_liabilities,
                    statement.total_liabilities,
                    statement.revenue,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._(
                        "Period %(period)s: assets, liabilities and revenue cannot be "
                        "negative (only net income and cash flow can).",
                        period=statement.period,
                    )
                )
            if statement.current_assets > statement.total_assets:
                raise ValidationError(
                    self.env._(
                        "Period %(period)s: current assets cannot exceed total assets.",
                        period=statement.period,
                    )
                )
            if statement.current_liabilities > statement.total_liabilities:
                raise ValidationError(
                    self.env._(
                        "Period %(period)s: current liabilities cannot exceed total liabilities.",
                        period=statement.period,
                    )
                )

    def _figures(self):
        """{figure: value or None when not entered}."""
        self.ensure_one()
        return {name: self[name] or None for name in FIGURES}

    def _check_draft(self):
        if any(s.evaluation_id.state != "draft" for s in self):
            raise UserError(
                self.env._(
                    "The financial statements of a submitted or decided evaluation cannot "
                    "change. Reset it to draft first."
                )
            )

    def _credit_mark_preparer(self):
        """Who enters a customer's figures prepares the evaluation: never its approver."""
        if not self.env.su:
            self.evaluation_id._credit_workflow_write({"credit_editor_ids": [(4, self.env.uid)]})

    @api.model_create_multi
    def create(self, vals_list):
        statements = super().create(vals_list)
        statements._check_draft()
        statements._credit_mark_preparer()
        if not self.env.context.get("credit_evaluation_writing"):
            statements.evaluation_id._compute_scoring()
        return statements

    def write(self, vals):
        self._check_draft()
        result = super().write(vals)
        self._credit_mark_preparer()
        if not self.env.context.get("credit_evaluation_writing"):
            self.evaluation_id._compute_scoring()
        return result

    def unlink(self):
        self._check_draft()
        self._credit_mark_preparer()
        evaluations = self.evaluation_id
        result = super().unlink()
        if not self.env.context.get("credit_evaluation_writing"):
            evaluations.exists()._compute_scoring()
        return result
