from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

from ..tools.grade_ranges import grade_for_score
from ..tools.grade_ranges import range_problems

CREDIT_POLICIES = [
    ("none", "No control"),
    ("warn", "Warn"),
    ("block", "Block"),
]


class CustomerCreditGrade(models.Model):
    _name = "customer.credit.grade"
    _description = "Credit Grade"
    _order = "score_min desc"
    _rec_name = "code"

    code = fields.Char(required=True, help="Short code shown on customers, e.g. AAA.")
    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    score_min = fields.Float(
        "Score From", required=True, help="Lowest score of the grade (included)."
    )
    score_max = fields.Float(
        "Score To",
        required=True,
        help="Score where the next grade starts (excluded; 100 is included in the top grade).",
    )
    color = fields.Integer()
    default_policy = fields.Selection(
        CREDIT_POLICIES,
        help="Policy given to a customer when this grade is assigned. "
        "Empty: the customer keeps its policy.",
    )
    block_sales = fields.Boolean(
        "Blocks Sales",
        help="Orders of customers with this grade fail the credit check.",
    )
    review_months = fields.Integer(
        "Review Every (months)",
        default=12,
        help="Months until the next credit review of a customer with this grade.",
    )
    company_id = fields.Many2one(
        "res.company", help="Leave empty to share the grade between companies."
    )
    description = fields.Text(translate=True)
    # Recommended limit rule (credit evaluations): the lowest of the three, 0 = not used.
    limit_revenue_pct = fields.Float(
        "Limit: % of Annual Revenue",
        help="Recommended limit as a percentage of the customer's annual revenue. 0: not used.",
    )
    limit_sales_months = fields.Float(
        "Limit: Months of Sales",
        help="Recommended limit as this many months of the customer's average monthly "
        "invoiced sales. 0: not used.",
    )
    limit_cap = fields.Float(
        help="Highest limit recommended for this grade, in company currency. 0: no cap.",
    )

    _sql_constraints = [
        ("code_company_uniq", "unique(code, company_id)", "A grade code must be unique."),
    ]

    @api.depends("code", "name")
    def _compute_display_name(self):
        for grade in self:
            grade.display_name = f"{grade.code} - {grade.name}" if grade.name else grade.code

    @api.model
    def _load_records(self, data_list, update=False):
        # Shipped grades are loaded one record at a time: check coverage on the whole set
        # only when a user edits grades, not between two records of a data file.
        return super(
            CustomerCreditGrade, self.with_context(credit_grade_loading=True)
        )._load_records(data_list, update=update)

    @api.model
    def _grades_of_company(self, company):
        """The grade scale of ``company``: its own grades if it has any, else the shared ones."""
        own = self.search([("company_id", "=", company.id)]) if company else self.browse()
        return own or self.search([("company_id", "=", False)])

    @api.constrains("score_min", "score_max", "active", "company_id")
    def _check_score_ranges(self):
        # module data loads grades one by one (gaps in between): only in superuser mode
        loading = self.env.su and self.env.context.get("credit_grade_loading")
        for company in self.mapped("company_id") or [self.env["res.company"]]:
            grades = self._grades_of_company(company)
            problems = range_problems((g.code, g.score_min, g.score_max) for g in grades)
            for kind, first, second in problems:
                if kind == "gap" and loading:
                    continue
                raise ValidationError(self._range_problem_message(kind, first, second))

    def _range_problem_message(self, kind, first, second):
        if kind == "bounds":
            return self.env._(
                "Grade %(code)s: the score range must lie within 0 to 100 and "
                "'Score From' must be lower than 'Score To'.",
                code=first,
            )
        if kind == "overlap":
            return self.env._(
                "Grades %(first)s and %(second)s overlap: a score must belong to one "
                "grade only. Make one grade end where the other starts.",
                first=first,
                second=second,
            )
        return self.env._(
            "No grade covers the scores from %(low)s to %(high)s: grades must cover "
            "0 to 100 without gaps.",
            low=first,
            high=second,
        )

    @api.model
    def _grade_for_score(self, score, company=None):
        """Active grade whose range holds ``score`` for ``company``."""
        grades = self._grades_of_company(company or self.env.company)
        code = grade_for_score([(g.code, g.score_min, g.score_max) for g in grades], score)
        return grades.filtered(lambda g: g.code == code)[:1]
