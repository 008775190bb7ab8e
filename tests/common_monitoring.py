from datetime import date

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests import new_test_user


class SimulatedCrash(BaseException):
    """Stands for a worker killed in the middle of a run (not an ordinary error)."""


class CreditMonitoringCase(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        # The accountant of the test runs as a credit manager (credit fields are theirs).
        cls.env.user.groups_id += cls.env.ref("customer_credit.group_credit_manager")
        Level = cls.env["customer.credit.escalation.level"]
        Level._create_default_levels(cls.company)
        cls.levels = Level.search([("company_id", "=", cls.company.id)], order="days")
        cls.l1, cls.l2, cls.l3, cls.l4 = cls.levels
        cls.salesman = new_test_user(
            cls.env,
            login="cc_mon_sales",
            name="Sally Sales",
            email="sally@example.com",
            groups="base.group_user,sales_team.group_sale_salesman",
            company_id=cls.company.id,
        )
        cls.manager = new_test_user(
            cls.env,
            login="cc_mon_manager",
            name="Carl Credit",
            email="carl@example.com",
            groups="base.group_user,base.group_partner_manager,"
            "customer_credit.group_credit_manager,account.group_account_invoice",
            company_id=cls.company.id,
        )
        cls.customer = cls._customer("Overdue Ltd")
        cls.monitor = cls.env["customer.credit.monitor"]

    @classmethod
    def _customer(cls, name, email="ap@example.com"):
        partner = cls.env["res.partner"].create(
            {"name": name, "is_company": True, "email": email, "user_id": cls.salesman.id}
        )
        partner.with_company(cls.company).credit_manager_id = cls.manager
        return partner

    def _invoice(self, partner, amount, due, invoice_date=None):
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": invoice_date or due,
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
        self.assertEqual(move.invoice_date_due, due)
        return move

    def _pay(self, invoices, when, amount=None):
        vals = {"payment_date": when}
        if amount is not None:
            vals["amount"] = amount
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoices.ids
        ).create(vals)._create_payments()

    def _run(self, **kwargs):
        return self.monitor._cron_escalate_overdue(**kwargs)

    def _logs(self, partner):
        return self.env["customer.credit.escalation.log"].search(
            [("partner_id", "=", partner.id)], order="date, id"
        )

    def _mails(self, partner):
        return self.env["mail.mail"].search(
            [("model", "=", "res.partner"), ("res_id", "=", partner.id)]
        )

    def _activities(self, partner):
        return self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
        )

    def _state(self, partner):
        partner = partner.with_company(self.company)
        partner.invalidate_recordset()
        return partner

    @staticmethod
    def d(text):
        return date.fromisoformat(text)
