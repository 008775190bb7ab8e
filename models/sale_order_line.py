from odoo import api
from odoo import models

# Line fields that change what an order is worth or what a release was granted for.
LINE_WATCHED_FIELDS = frozenset(
    {
        "order_id",
        "product_id",
        "product_uom_qty",
        "product_uom",
        "price_unit",
        "discount",
        "tax_id",
        "display_type",
    }
)


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # Whatever model a change is written through, the order's releases void and a
    # confirmed order that goes up is checked again (see sale.order._credit_after_change).

    @api.model_create_multi
    def create(self, vals_list):
        orders = self.env["sale.order"].browse(
            {vals["order_id"] for vals in vals_list if vals.get("order_id")}
        )
        snapshot = orders._credit_snapshot()
        lines = super().create(vals_list)
        orders._credit_after_change(snapshot)
        return lines

    def write(self, vals):
        if not LINE_WATCHED_FIELDS & set(vals):
            return super().write(vals)
        orders = self.order_id
        snapshot = orders._credit_snapshot()
        result = super().write(vals)
        (orders | self.order_id)._credit_after_change(snapshot)
        return result

    def unlink(self):
        orders = self.order_id
        snapshot = orders._credit_snapshot(amounts=False)
        result = super().unlink()
        orders._credit_after_change(snapshot)
        return result
