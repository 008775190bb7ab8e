from odoo import fields
from odoo import models

CONTACT_CHANNELS = [
    ("phone", "Phone"),
    ("email", "Email"),
    ("visit", "Visit"),
    ("letter", "Letter"),
    ("meeting", "Meeting"),
    ("other", "Other"),
]


class CustomerCreditCollectionContact(models.Model):
    _name = "customer.credit.collection.contact"
    _description = "Collection Contact"
    _order = "date desc, id desc"

    case_id = fields.Many2one(
        "customer.credit.collection.case", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="case_id.company_id", store=True, index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    channel = fields.Selection(CONTACT_CHANNELS, required=True, default="phone")
    contact_name = fields.Char("Spoke With")
    summary = fields.Text(required=True)
    user_id = fields.Many2one("res.users", "By", required=True, default=lambda self: self.env.user)
