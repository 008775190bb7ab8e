from datetime import timedelta

from odoo import Command
from odoo import fields
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests import new_test_user
from odoo.tools import format_amount


class CreditSaleCommon(AccountTestInvoicingCommon):
    """A company with credit control, a salesperson without accounting rights,
    two credit managers, a tax-free product at 1,000.00 and a customer with a
    10,000.00 limit under the 'block' policy."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.write(
            {
                "credit_control_enabled": True,
                "credit_policy_default": "block",
                "credit_overdue_tolerance_days": 30,
            }
        )
        cls.currency = cls.company.currency_id
        cls.product = cls.env["product.product"].create(
            {
                "name": "Credit Widget",
                "type": "consu",
                "list_price": 1000.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.salesman = new_test_user(
            cls.env,
            login="credit_salesman",
            name="Sally Sales",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.manager = new_test_user(
            cls.env,
            login="credit_manager_1",
            name="Max Manager",
            groups="sales_team.group_sale_salesman_all_leads,customer_credit.group_credit_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.manager2 = new_test_user(
            cls.env,
            login="credit_manager_2",
            name="Mia Manager",
            groups="sales_team.group_sale_salesman_all_leads,customer_credit.group_credit_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.customer = cls._credit_partner("Over Limit Ltd", limit=10000.0)

    @classmethod
    def _credit_partner(cls, name, limit=0.0, **values):
        partner = cls.env["res.partner"].create({"name": name, "is_company": True})
        partner.with_company(cls.company).sudo().write(dict({"credit_limit": limit}, **values))
        return partner

    def _quote(self, partner=None, qty=1.0, user=None, **values):
        env = self.env(user=user) if user else self.env
        return (
            env["sale.order"]
            .with_company(self.company)
            .create(
                dict(
                    {
                        "partner_id": (partner or self.customer).id,
                        "company_id": self.company.id,
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": self.product.id,
                                    "product_uom_qty": qty,
                                    "price_unit": 1000.0,
                                    "tax_id": [Command.clear()],
                                }
                            )
                        ],
                    },
                    **values,
                )
            )
        )

    def _overdue_invoice(self, partner, amount, days):
        date = fields.Date.today() - timedelta(days=days)
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "company_id": self.company.id,
                "invoice_date": date,
                "invoice_date_due": date,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Old sale", "quantity": 1, "price_unit": amount, "tax_ids": []}
                    )
                ],
            }
        )
        invoice.action_post()
        return invoice

    def fmt(self, amount, currency=None):
        return format_amount(self.env, amount, currency or self.currency)

    def fmt_html(self, amount, currency=None):
        """The amount as stored in a chatter message body."""
        return self.fmt(amount, currency).replace("\xa0", "&nbsp;")
