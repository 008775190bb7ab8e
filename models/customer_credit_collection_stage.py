from odoo import fields
from odoo import models


class CustomerCreditCollectionStage(models.Model):
    _name = "customer.credit.collection.stage"
    _description = "Collection Case Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean("Folded in Kanban")
    is_closed = fields.Boolean(
        "Closing Stage",
        help="Cases in this stage are finished; they close here automatically "
        "when their invoices are paid.",
    )
    is_promise = fields.Boolean(
        "Promise Stage", help="Cases move here when a promise to pay is recorded."
    )
    description = fields.Text(translate=True)
