import io
from datetime import date
from unittest.mock import patch

import openpyxl

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import BaseCase
from odoo.tests import Form
from odoo.tests import new_test_user
from odoo.tests import tagged

from ..tools.statement import StatementRow
from ..tools.statement import batches
from ..tools.statement import build_statement_sections
from ..tools.statement import previous_month
from .test_aging import AgingCommon

USD, EUR = 1, 2


def row(day, balance, currency=USD, amount_currency=None, kind="invoice"):
    return StatementRow(
        0, date(2024, 3, day), kind, "INV", "", None, currency, balance,
        balance if amount_currency is None else amount_currency,
    )  # fmt: skip


@tagged("post_install", "-at_install")
class TestStatementMath(BaseCase):
    def test_running_balance_and_totals(self):
        sections = build_statement_sections(
            USD, {USD: 2, EUR: 2}, {USD: (100.0, 100.0)}, [row(1, 50.005), row(2, -30.0)]
        )
        self.assertEqual(len(sections), 1)
        section = sections[0]
        self.assertEqual(section["opening"], 100.0)
        self.assertEqual([line["balance"] for line in section["lines"]], [150.01, 120.01])
        self.assertEqual((section["total_debit"], section["total_credit"]), (50.01, 30.0))
        self.assertEqual(section["closing"], 120.01)

    def test_foreign_currency_section(self):
        sections = build_statement_sections(
            USD,
            {USD: 2, EUR: 2},
            {USD: (10.0, 10.0), EUR: (40.0, 100.0)},
            [row(5, 240.0, EUR, 600.0), row(20, -80.0, EUR, -200.0), row(21, 5.0)],
        )
        usd, eur = sections
        self.assertEqual(usd["closing"], 10.0 + 40.0 + 240.0 - 80.0 + 5.0)
        self.assertEqual(eur["currency_id"], EUR)
        self.assertEqual(eur["opening"], 100.0)
        self.assertEqual([line["balance"] for line in eur["lines"]], [700.0, 500.0])
        self.assertEqual(eur["closing"], 500.0)

    def test_no_section_for_a_settled_foreign_currency(self):
        sections = build_statement_sections(USD, {USD: 2, EUR: 2}, {EUR: (0.0, 0.0)}, [])
        self.assertEqual(len(sections), 1)

    def test_previous_month_and_batches(self):
        self.assertEqual(previous_month(date(2024, 3, 15)), (date(2024, 2, 1), date(2024, 2, 29)))
        self.assertEqual(previous_month(date(2024, 1, 1)), (date(2023, 12, 1), date(2023, 12, 31)))
        self.assertEqual(batches(range(5), 2), [[0, 1], [2, 3], [4]])


class StatementCommon(AgingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A foreign-currency invoice, partly paid in that currency (EUR at 2.5 from March).
        cls.inv_eur = cls._invoice(
            cls.customer_a, "2024-03-05", "2024-04-04", 600.0, currency=cls.eur
        )
        cls._pay(cls.inv_eur, "2024-03-20", 200.0)
        cls.customer_a.email = "a@example.com"
        cls.accountant = new_test_user(
            cls.env,
            login="statement_accountant",
            groups="account.group_account_invoice",
        )
        cls.Statement = cls.env["customer.credit.statement"]

    def _ledger(self, partner, before=None, until=None):
        """Odoo's partner ledger: posted receivable lines of the partner and its
        contacts up to a date."""
        domain = [
            ("partner_id", "child_of", partner.id),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("company_id", "=", self.company.id),
        ]
        if before:
            domain.append(("date", "<", before))
        if until:
            domain.append(("date", "<=", until))
        lines = self.env["account.move.line"].search(domain)
        return self.usd.round(sum(lines.mapped("balance")))

    def _data(self, partner, date_from, date_to):
        return self.Statement._statement_data(partner, date_from, date_to, self.company)[partner.id]


@tagged("post_install", "-at_install")
class TestStatement(StatementCommon):
    def test_totals_equal_aging_and_partner_ledger(self):
        start, end = date(2024, 2, 1), date(2024, 3, 31)
        data = self._data(self.customer_a, start, end)
        usd, eur = data["sections"]
        self.assertEqual(usd["currency"], self.usd)
        self.assertEqual(usd["opening"], self._ledger(self.customer_a, before=start))
        self.assertEqual(usd["opening"], 1000.0)
        self.assertEqual(usd["closing"], self._ledger(self.customer_a, until=end))
        self.assertEqual(usd["closing"], 1000.0 + 500.0 - 300.0 + 240.0 - 80.0)
        self.assertEqual(usd["closing"], usd["opening"] + usd["total_debit"] - usd["total_credit"])
        kinds = [line["row"].kind for line in usd["lines"]]
        self.assertEqual(kinds, ["invoice", "payment", "invoice", "payment"])
        dates = [line["row"].date for line in usd["lines"]]
        self.assertEqual(dates, sorted(dates))
        # the foreign-currency section, in EUR
        self.assertEqual(eur["currency"], self.eur)
        self.assertEqual((eur["opening"], eur["closing"]), (0.0, 400.0))
        self.assertEqual([line["balance"] for line in eur["lines"]], [600.0, 400.0])
        # the aging footer: the figures of an aging run at the end date, to the cent
        report = self._report(end, partner_ids=[Command.set(self.customer_a.ids)])
        line = self._line(report, self.customer_a)
        self.assertEqual([amount for _label, amount in data["aging_columns"]], self._amounts(line))
        self.assertEqual(
            [label for label, _amount in data["aging_columns"]],
            report.bucket_ids.sorted("sequence").mapped("name"),
        )
        self.assertEqual(data["aging_total"], self.usd.round(line.amount_total))
        self.assertEqual(data["aging_total"], usd["closing"])

    def test_contacts_count_for_their_company(self):
        start, end = date(2023, 10, 1), date(2024, 3, 31)
        data = self._data(self.customer_b, start, end)
        (usd,) = data["sections"]
        self.assertIn(self.inv3.name, [line["row"].move_name for line in usd["lines"]])
        self.assertIn(self.refund.name, [line["row"].move_name for line in usd["lines"]])
        self.assertIn("credit_note", [line["row"].kind for line in usd["lines"]])
        self.assertEqual(usd["closing"], self._ledger(self.customer_b, until=end))
        self.assertEqual(usd["closing"], data["aging_total"])
        # asked on the contact: the company's statement
        name, _content = self.contact_b._credit_statement_pdf(start, end)
        self.assertIn(self.customer_b.name, name)

    def test_pdf_in_the_customer_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["customer_credit"], ["zh_CN"])
        start, end = date(2024, 2, 1), date(2024, 3, 31)
        name, html = self.customer_a._credit_statement_pdf(start, end)
        self.assertTrue(name.endswith(".pdf"))
        html = html.decode()
        self.assertIn("Customer Statement", html)
        self.assertIn(self.inv2.name, html)
        self.assertIn(self.inv_eur.name, html)
        self.assertIn("1,360.00", html)
        self.customer_a.lang = "zh_CN"
        name_cn, html_cn = self.customer_a._credit_statement_pdf(start, end)
        html_cn = html_cn.decode()
        self.assertIn("对账单", name_cn)
        self.assertIn("客户对账单", html_cn)
        self.assertIn("期初余额", html_cn)
        self.assertNotIn("Opening Balance", html_cn)

    def test_report_action_xmlid(self):
        action = self.env.ref("customer_credit.action_report_customer_statement")
        self.assertEqual(action.model, "res.partner")
        self.assertEqual(action.report_type, "qweb-pdf")

    def test_xlsx_read_back(self):
        start, end = date(2024, 2, 1), date(2024, 3, 31)
        name, content = self.customer_a._credit_statement_xlsx(start, end)
        self.assertTrue(name.endswith(".xlsx"))
        sheet = openpyxl.load_workbook(io.BytesIO(content), data_only=True).active
        rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
        closings = [r[7] for r in rows if r[0] == "Closing Balance"]
        self.assertEqual(closings, [1360.0, 400.0])
        openings = [r[7] for r in rows if r[0] == "Opening Balance"]
        self.assertEqual(openings, [1000.0, 0.0])
        documents = [r[2] for r in rows]
        self.assertIn(self.inv2.name, documents)
        # aging footer: bucket titles then amounts, the total last
        header_index = next(i for i, r in enumerate(rows) if r[0] == "Not due")
        amounts = [value for value in rows[header_index + 1] if value is not None]
        self.assertEqual(amounts[-1], 1360.0)
        self.assertEqual(round(sum(amounts[:-1]), 2), 1360.0)


@tagged("post_install", "-at_install")
class TestStatementSending(StatementCommon):
    def _wizard(self, partners, user=None):
        wizard = Form(
            self.env["customer.credit.statement.wizard"]
            .with_user(user or self.accountant)
            .with_context(default_partner_ids=partners.ids)
        )
        wizard.date_from = date(2024, 2, 1)
        wizard.date_to = date(2024, 3, 31)
        return wizard.save()

    def _statement_messages(self, partner):
        return partner.message_ids.filtered(
            lambda m: m.message_type == "comment" and m.attachment_ids
        )

    def test_default_period_is_last_month(self):
        wizard = self.env["customer.credit.statement.wizard"].with_user(self.accountant).new({})
        today = date.today()
        self.assertEqual((wizard.date_from, wizard.date_to), previous_month(today))

    def test_send_from_partner_form(self):
        action = self.customer_a.with_user(self.accountant).action_credit_send_statement()
        self.assertEqual(action["res_model"], "customer.credit.statement.wizard")
        wizard = self._wizard(self.customer_a)
        wizard.action_send()
        messages = self._statement_messages(self.customer_a)
        self.assertEqual(len(messages), 1)
        self.assertIn("statement", messages.subject.lower())
        self.assertIn("Statement - Aging Customer A", messages.attachment_ids.name)
        self.assertEqual(messages.author_id, self.accountant.partner_id)
        self.assertIn(self.customer_a, messages.partner_ids)
        sent = self.env["customer.credit.statement.send"].search(
            [("partner_id", "=", self.customer_a.id)]
        )
        self.assertEqual(sent.state, "sent")
        self.assertEqual(sent.message_id, messages)

    def test_print_and_download_xlsx_actions(self):
        wizard = self._wizard(self.customer_a)
        action = wizard.action_print()
        self.assertEqual(action["report_name"], "customer_credit.report_customer_statement")
        self.assertEqual(action["data"]["date_from"], "2024-02-01")
        action = wizard.action_download_xlsx()
        self.assertEqual(
            action["url"],
            f"/customer_credit/statement/{self.customer_a.id}/xlsx"
            "?date_from=2024-02-01&date_to=2024-03-31",
        )
        with self.assertRaisesRegex(UserError, "Choose one customer"):
            self._wizard(self.customer_a | self.customer_b).action_download_xlsx()

    def test_no_email_is_a_clear_error(self):
        with self.assertRaisesRegex(UserError, "has no email address"):
            self._wizard(self.customer_b).action_send()
        self.assertFalse(self._statement_messages(self.customer_b))

    def test_period_must_be_ordered(self):
        wizard = self._wizard(self.customer_a)
        wizard.date_from = date(2024, 4, 1)
        with self.assertRaisesRegex(UserError, "ends before it starts"):
            wizard.action_send()

    def test_salesperson_cannot_send(self):
        with self.assertRaises(AccessError):
            self.env["customer.credit.statement.wizard"].with_user(self.seller).create(
                {"partner_ids": [Command.set(self.customer_a.ids)]}
            )

    def test_bulk_sending_batches_commit_and_progress(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Bulk Customer {i:03d}", "email": f"bulk{i}@example.com"} for i in range(25)]
        )
        wizard = self._wizard(partners)
        wizard.action_send()
        queue = self.env["customer.credit.statement.send"].search(
            [("partner_id", "in", partners.ids)]
        )
        self.assertEqual(len(queue), 25)
        self.assertEqual(set(queue.mapped("state")), {"pending"}, "more than 10: queued")
        Monitor = type(self.env["customer.credit.monitor"])
        original = Monitor._commit_batch
        commits = []

        def commit_batch(monitor, done, remaining):
            sent = self.env["mail.message"].search_count(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "in", partners.ids),
                    ("message_type", "=", "comment"),
                ]
            )
            commits.append((done, remaining, sent))
            return original(monitor, done, remaining)

        with patch.object(Monitor, "_commit_batch", autospec=True, side_effect=commit_batch):
            done = self.env["customer.credit.statement.send"]._send_statement_batch(batch_size=10)
        self.assertEqual(done, 25)
        self.assertEqual(commits, [(10, 15, 10), (20, 5, 20), (25, 0, 25)])
        self.assertEqual(set(queue.mapped("state")), {"sent"})

    def test_monthly_cron_for_customers_who_opted_in(self):
        self.customer_a.credit_statement_monthly = True
        with patch(
            "odoo.addons.customer_credit.models.customer_credit_statement_send.previous_month",
            return_value=(date(2024, 3, 1), date(2024, 3, 31)),
        ):
            self.env["customer.credit.statement.send"]._cron_send_statements()
        self.assertEqual(len(self._statement_messages(self.customer_a)), 1)
        self.assertFalse(self._statement_messages(self.customer_b))
