from datetime import timedelta

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models


class CustomerCreditDemo(models.AbstractModel):
    """Builds the demo ledger (loaded with demo data only)."""

    _name = "customer.credit.demo"
    _description = "Customer Credit Demo Data"

    # (customer xml id, untaxed amount, days since invoice, payment days, paid amount or None)
    _DEMO_INVOICES = [
        ("demo_customer_lumen", 42000.0, 10, 30, None),
        ("demo_customer_lumen", 18000.0, 70, 30, "all"),
        ("demo_customer_orbit", 52000.0, 20, 45, None),
        ("demo_customer_orbit", 24000.0, 5, 30, None),
        ("demo_customer_delta", 38000.0, 25, 30, None),
        ("demo_customer_silkroad", 21000.0, 75, 30, None),
        ("demo_customer_silkroad", 9000.0, 15, 30, None),
        ("demo_customer_panda", 12500.0, 95, 30, 4000.0),
        ("demo_customer_riverside", 54000.0, 40, 30, 30000.0),
        ("demo_contact_riverside", 8000.0, 3, 30, None),
        ("demo_customer_harbor", 6000.0, 120, 30, "all"),
        ("demo_customer_harbor", 4500.0, 8, 30, None),
        ("demo_customer_garden", 3000.0, 12, 30, None),
        ("demo_customer_coastal", 15000.0, 20, 60, None),
        ("demo_customer_orbit_logistics", 28000.0, 10, 30, None),
        ("demo_customer_orbit_electronics", 20000.0, 15, 45, None),
    ]
    # (customer xml id, untaxed amount)
    _DEMO_ORDERS = [
        ("demo_customer_delta", 19000.0),
        ("demo_customer_orbit", 3000.0),
        ("demo_customer_lumen", 25000.0),
    ]

    @api.model
    def _load_demo_transactions(self):
        env = self.sudo().env
        company = env.company
        if not env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", company.id)]
        ):
            return  # no chart of accounts: nothing to invoice with
        today = fields.Date.context_today(self)
        product = env.ref("customer_credit.demo_product_goods")
        # Loaded once per customer (an update of the module adds what is new only).
        partners = {
            xmlid: env.ref(f"customer_credit.{xmlid}")
            for xmlid in {x for x, *_rest in self._DEMO_INVOICES + self._DEMO_ORDERS}
        }
        loaded = set(
            env["account.move"]
            .search([("partner_id", "in", [p.id for p in partners.values()])])
            .partner_id.ids
        )
        if partners["demo_customer_lumen"].id in loaded:
            self._load_demo_invoices(partners, loaded, product, today)
            return
        # Orders first: they are confirmed against the exposure of the day.
        for xmlid, amount in self._DEMO_ORDERS:
            order = env["sale.order"].create(
                {
                    "partner_id": env.ref(f"customer_credit.{xmlid}").id,
                    "order_line": [
                        Command.create(
                            {"product_id": product.id, "product_uom_qty": 1, "price_unit": amount}
                        )
                    ],
                }
            )
            order.action_confirm()
        self._load_demo_invoices(partners, loaded, product, today)
        self._demo_foreign_invoice(product, today)
        # A draft invoice still counts in the exposure.
        self._demo_invoice(
            env.ref("customer_credit.demo_customer_delta"), product, 2500.0, today, 30, post=False
        )

    def _load_demo_invoices(self, partners, loaded, product, today):
        for xmlid, amount, age, term, paid in self._DEMO_INVOICES:
            partner = partners[xmlid]
            if partner.id in loaded:
                continue
            invoice = self._demo_invoice(
                partner, product, amount, today - timedelta(days=age), term
            )
            if paid:
                self._demo_pay(invoice, None if paid == "all" else paid, today - timedelta(days=2))

    def _demo_invoice(self, partner, product, amount, date, term_days, post=True, currency=None):
        move = (
            self.env["account.move"]
            .sudo()
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": date,
                    "invoice_payment_term_id": False,
                    "currency_id": (currency or self.env.company.currency_id).id,
                    "invoice_line_ids": [
                        Command.create(
                            {"product_id": product.id, "quantity": 1, "price_unit": amount}
                        )
                    ],
                }
            )
        )
        move.invoice_date_due = date + timedelta(days=term_days)
        if post:
            move.action_post()
        return move

    def _demo_pay(self, invoice, amount, date):
        vals = {"payment_date": date}
        if amount:
            vals["amount"] = amount
        self.env["account.payment.register"].sudo().with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create(vals)._create_payments()

    def _demo_foreign_invoice(self, product, today):
        eur = self.env.ref("base.EUR").sudo()
        if eur == self.env.company.currency_id:
            eur = self.env.ref("base.USD").sudo()
        eur.active = True
        if not eur.rate_ids.filtered(lambda r: r.company_id == self.env.company):
            self.env["res.currency.rate"].sudo().create(
                {
                    "currency_id": eur.id,
                    "rate": 0.92,
                    "name": today - timedelta(days=60),
                    "company_id": self.env.company.id,
                }
            )
        partner = self.env.ref("customer_credit.demo_customer_nordic")
        self._demo_invoice(partner, product, 36000.0, today - timedelta(days=30), 60, currency=eur)
