from odoo import fields
from odoo import models


class CustomerCreditMonitoringNotice(models.Model):
    """Remembers which due date was already announced, so that a scheduled check
    creates its activity once per record and due date."""

    _name = "customer.credit.monitoring.notice"
    _description = "Credit Monitoring Notice"
    _order = "id desc"

    company_id = fields.Many2one("res.company", required=True, index=True)
    kind = fields.Selection(
        [
            ("review", "Credit Review Due"),
            ("limit", "Temporary Limit Expiring"),
            ("agreement", "Agreement Ending"),
        ],
        required=True,
    )
    res_model = fields.Char("Model", required=True)
    res_id = fields.Integer("Record", required=True)
    due_date = fields.Date(required=True)

    _sql_constraints = [
        (
            "notice_uniq",
            "UNIQUE(company_id, kind, res_model, res_id, due_date)",
            "This due date was already announced.",
        ),
    ]
