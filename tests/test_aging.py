import io
from datetime import date

import openpyxl
import psycopg2
from lxml import etree

from odoo import Command
from odoo import fields
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools import SQL
from odoo.tools import mute_logger

from ..models.customer_credit_aging_line import BUCKET_FIELDS
from ..tools.aging_buckets import DEFAULT_BUCKET_SPEC
from ..tools.aging_buckets import bucket_index
from ..tools.aging_buckets import build_buckets
from ..tools.aging_buckets import parse_bucket_spec
from ..tools.aging_sql import MATCH_FIRST_DATE
from ..tools.aging_sql import aging_bucket_totals_sql
from ..tools.aging_sql import aging_summary_sql
from ..tools.exposure_ledger import ENTRY_TABLE
from ..tools.sql_settings import local_setting


class AgingCommon(AccountTestInvoicingCommon):
    """A small ledger whose history the tests know: every invoice and payment is
    recorded in ``cls.history`` so that expected figures can be rebuilt in Python."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.usd = cls.company.currency_id
        cls.eur = cls.setup_other_currency("EUR", rates=[("2023-01-01", 2.0), ("2024-03-01", 2.5)])
        cls.customer_a = cls.env["res.partner"].create({"name": "Aging Customer A"})
        cls.customer_b = cls.env["res.partner"].create({"name": "Aging Customer B"})
        cls.contact_b = cls.env["res.partner"].create(
            {"name": "Bob of B", "parent_id": cls.customer_b.id, "type": "invoice"}
        )
        cls.seller = new_test_user(
            cls.env, login="aging_seller", groups="sales_team.group_sale_salesman"
        )
        cls.grade_aa = cls.env.ref("customer_credit.grade_aa")
        cls.customer_a.sudo().with_company(cls.company).write(
            {"credit_grade_id": cls.grade_aa.id, "credit_limit": 5000.0}
        )
        cls.customer_b.sudo().with_company(cls.company).write(
            {"credit_hold": True, "credit_hold_reason": "Unpaid since October"}
        )
        # (move, company currency amount signed) and (move, payment date, amount in company currency)
        cls.history = {"documents": [], "payments": []}
        cls.inv1 = cls._invoice(cls.customer_a, "2024-01-10", "2024-02-09", 1000.0)
        cls.inv2 = cls._invoice(cls.customer_a, "2024-02-01", "2024-03-02", 500.0)
        cls.inv3 = cls._invoice(cls.contact_b, "2023-10-01", "2023-10-31", 800.0)
        cls.refund = cls._invoice(cls.customer_b, "2024-02-20", "2024-02-20", 100.0, "out_refund")
        cls._pay(cls.inv1, "2024-02-15", 300.0)
        cls._pay(cls.inv1, "2024-04-10", 700.0)
        cls._pay(cls.inv3, "2024-03-05", 800.0)
        cls.inv1.invoice_user_id = cls.seller

    @classmethod
    def _invoice(
        cls, partner, day, due, amount, move_type="out_invoice", currency=None, company=None
    ):
        company = company or cls.company
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "invoice_date": day,
                    "date": day,
                    "invoice_date_due": due,
                    "currency_id": (currency or company.currency_id).id,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Goods", "quantity": 1, "price_unit": amount, "tax_ids": []}
                        )
                    ],
                }
            )
        )
        move.action_post()
        cls.history["documents"].append(move)
        return move

    @classmethod
    def _pay(cls, move, day, amount, currency=None):
        wizard = (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create(
                {
                    "payment_date": day,
                    "amount": amount,
                    "currency_id": (currency or move.currency_id).id,
                    "payment_difference_handling": "open",
                }
            )
        )
        payments = wizard._create_payments()
        cls.history["payments"].append((move, fields.Date.to_date(day), payments))
        return payments

    def setUp(self):
        super().setUp()
        # Tests may add documents; the database rolls back, the history must too.
        saved = {key: list(value) for key, value in self.history.items()}

        def restore():
            for key, value in saved.items():
                self.history[key][:] = value

        self.addCleanup(restore)
        self.addCleanup(self.assertFirstDatesAgree)

    def assertFirstDatesAgree(self):
        drift = self.env["customer.credit.aging.item"]._match_first_date_drift()
        self.assertEqual(drift, [], "a match's first date is not that of its lines")

    def _today_without_later_matches(self):
        """Today, with no match dated after it. The demo data is dated in its admin's
        time zone: after 23:00 UTC, a payment of Brussels' "today" is dated after the
        test user's; such matches are undone (the transaction rolls back)."""
        today = fields.Date.context_today(self.env.user)
        self.env["account.partial.reconcile"].sudo().search([("max_date", ">", today)]).unlink()
        return today

    def _report(self, as_of, **values):
        report = self.env["customer.credit.aging.report"].create(
            {"date_as_of": as_of, "company_ids": [Command.set(self.company.ids)], **values}
        )
        report._run_aging()
        return report

    def _items(self, report):
        """The open items of a run (written on first use)."""
        report._ensure_items()
        return report.item_ids

    def _line(self, report, partner, company=None):
        company = company or self.company
        return report.line_ids.filtered(
            lambda line: line.partner_id == partner and line.company_id == company
        )

    def _amounts(self, line):
        return [round(a, 2) for a in line._bucket_amounts()]


@tagged("post_install", "-at_install")
class TestReceivableAging(AgingCommon):
    def _receivable_residual(self, companies):
        lines = self.env["account.move.line"].search(
            [
                ("company_id", "in", companies.ids),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
            ]
        )
        return lines, sum(lines.mapped("amount_residual"))

    def _expected_open(self, as_of):
        """Open amount per (commercial partner, move) at ``as_of``, rebuilt from the
        documents and the payments made on them (single-currency ledger)."""
        expected = {}
        for move in self.history["documents"]:
            if move.date <= as_of and move.company_id == self.company:
                expected[move] = move.amount_total_signed
        for move, day, payments in self.history["payments"]:
            if day <= as_of and move in expected:
                expected[move] -= sum(payments.mapped("amount_company_currency_signed"))
        return {move: amount for move, amount in expected.items() if amount}

    # ------------------------------------------------------------------ to the cent

    def test_today_equals_amount_residual(self):
        report = self._report(fields.Date.context_today(self.env.user))
        lines, residual = self._receivable_residual(self.company)
        summary = report._summary_by_company()
        self.assertEqual(len(summary), 1)
        self.assertAlmostEqual(summary[0]["total"], residual, places=2)
        self.assertAlmostEqual(sum(report.line_ids.mapped("amount_total")), residual, places=2)
        # per customer as well, and per item
        for line in report.line_ids:
            partner_lines = lines.filtered(
                lambda aml, line=line: aml.partner_id.commercial_partner_id == line.partner_id
            )
            self.assertAlmostEqual(
                line.amount_total, sum(partner_lines.mapped("amount_residual")), 2
            )
        for item in self._items(report):
            self.assertAlmostEqual(item.amount_open, item.move_line_id.amount_residual, 2)
        # today: inv2 (500) and the credit note (-100) remain
        self.assertAlmostEqual(self._line(report, self.customer_a).amount_total, 500.0, 2)
        self.assertAlmostEqual(self._line(report, self.customer_b).amount_total, -100.0, 2)

    def test_open_lines_alone_when_no_match_came_later(self):
        """As of a date after every match (today), the aging reads the open lines alone
        (``later_matches`` False): the same sums as the general path, which also reads
        the matches made after the date; as of a past date, the general path is used."""
        engine = self.env["customer.credit.aging.report"]
        buckets = [
            (b.index, b.days_from, b.days_to)
            for b in build_buckets(parse_bucket_spec(DEFAULT_BUCKET_SPEC))
        ]
        fallbacks = {self.company.id: (0.0, None, False)}
        today = self._today_without_later_matches()
        self.assertFalse(engine._later_matches(today))
        self.assertTrue(engine._later_matches(fields.Date.to_date("2024-03-01")))
        rows = {}
        for later in (False, True):
            query = aging_bucket_totals_sql(
                today, [self.company.id], "due", buckets, fallbacks, later_matches=later
            )
            rows[later] = sorted(self.env.execute_query(query))
        self.assertTrue(rows[False])
        self.assertEqual(rows[False], rows[True])

    def _summary_rows_of_both_sources(self, report):
        """The customer rows of ``report``'s options computed from the exposure ledger
        (as a run of today does) and from the journal items (the general path, which
        also reads the matches made after the date): {source: sorted rows}."""
        buckets = build_buckets(report._bucket_ranges())
        options = report._aging_sql_options(report.bucket_ids.sorted("sequence"), buckets)
        self.assertFalse(options["later_matches"])
        columns = SQL(", ").join(
            SQL.identifier(name)
            for name in (
                "company_id", "currency_id", "partner_id", "user_id", "grade_id",
                "credit_limit", "credit_hold", *BUCKET_FIELDS, "amount_total",
                "days_overdue_max", "item_count", "credit_group_id",
            )
        )  # fmt: skip
        rows = {}
        for source, later in (("ledger", False), ("lines", True)):
            statement = aging_summary_sql(**{**options, "later_matches": later})
            self.assertEqual(ENTRY_TABLE in statement.code, source == "ledger")
            self.env.cr.execute(
                SQL("DELETE FROM customer_credit_aging_line WHERE report_id = %s", report.id)
            )
            self.env.cr.execute(statement)
            rows[source] = sorted(
                self.env.execute_query(
                    SQL(
                        "SELECT %s FROM customer_credit_aging_line WHERE report_id = %s",
                        columns,
                        report.id,
                    )
                ),
                key=repr,
            )
        return rows

    def test_today_from_the_exposure_ledger(self):
        """As of today, a run without salesperson or grade filter sums the exposure
        ledger's items instead of the journal items: the same rows to the cent, with the
        lines the ledger does not keep (no partner), lines without a due date, a
        contact's invoices, a future-dated invoice left out, both bases, custom buckets,
        a customer filter and a second company."""
        today = self._today_without_later_matches()
        receivable = self.company_data["default_account_receivable"]
        revenue = self.company_data["default_account_revenue"]

        def entry(partner, amount, maturity=None):
            move = self.env["account.move"].create(
                {
                    "move_type": "entry",
                    "date": "2024-03-15",
                    "line_ids": [
                        Command.create(
                            {
                                "account_id": receivable.id,
                                "partner_id": partner.id if partner else False,
                                "debit": amount,
                                "date_maturity": maturity,
                            }
                        ),
                        Command.create({"account_id": revenue.id, "credit": amount}),
                    ],
                }
            )
            move.action_post()
            return move

        no_partner = entry(None, 250.0, "2024-04-01")
        entry(self.customer_a, 75.0)
        self.assertFalse(no_partner.line_ids.filtered("debit").partner_id)
        self._invoice(self.contact_b, "2024-01-05", "2024-01-20", 330.0)
        self._invoice(self.customer_b, "2024-05-05", "2024-05-05", 40.0, currency=self.eur)
        future = fields.Date.add(today, days=20)
        self._invoice(self.customer_a, future, future, 999.0)
        company_2 = self.setup_other_company(name="Aging Ledger Co 2")["company"]
        self.env.user.company_ids = [Command.link(company_2.id)]
        self._invoice(self.customer_a, "2024-02-01", "2024-02-01", 120.0, company=company_2)
        companies = [Command.set((self.company | company_2).ids)]
        runs = {
            "due": self._report(today, company_ids=companies),
            "invoice, custom buckets": self._report(
                today,
                company_ids=companies,
                aging_basis="invoice",
                bucket_spec="1-15, 16-45, 46-400, 401+",
            ),
            "one customer": self._report(today, partner_ids=[Command.set(self.contact_b.ids)]),
        }
        for name, report in runs.items():
            with self.subTest(run=name):
                rows = self._summary_rows_of_both_sources(report)
                self.assertTrue(rows["ledger"])
                self.assertEqual(rows["ledger"], rows["lines"])
        # what the ledger path found, by hand: the partner-less line is its own row,
        # the future invoice is not in, the contact's invoice counts for its customer
        report = self._report(today, company_ids=companies)
        lines, residual = self._receivable_residual(self.company)
        dated = lines.filtered(lambda aml: aml.date <= today)
        in_company = report.line_ids.filtered(lambda row: row.company_id == self.company)
        self.assertAlmostEqual(
            sum(in_company.mapped("amount_total")), sum(dated.mapped("amount_residual")), 2
        )
        self.assertNotAlmostEqual(residual, sum(dated.mapped("amount_residual")), 2)
        orphan = report.line_ids.filtered(lambda row: not row.partner_id)
        self.assertAlmostEqual(orphan.amount_total, 250.0, 2)
        self.assertEqual(orphan.item_count, 1)
        line_b = self._line(report, self.customer_b)
        self.assertEqual(line_b.item_count, 3)
        self.assertAlmostEqual(self._line(report, self.customer_a, company_2).amount_total, 120.0)

    def test_matches_know_their_first_date(self):
        """Each partial reconciliation keeps the earlier date of its two lines; a match
        whose lines are both dated after the date changes nothing at that date, and is
        not read. A match without that date (loaded with triggers off) is read anyway:
        the same figures."""
        engine = self.env["customer.credit.aging.report"]
        late = self._invoice(self.customer_a, "2024-06-01", "2024-06-30", 50.0)
        self._pay(late, "2024-06-10", 50.0)
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """SELECT apr.%s, LEAST(d.date, c.date) FROM account_partial_reconcile apr
                     JOIN account_move_line d ON d.id = apr.debit_move_id
                     JOIN account_move_line c ON c.id = apr.credit_move_id""",
                SQL.identifier(MATCH_FIRST_DATE),
            )
        )
        self.assertGreaterEqual(len(rows), 4)
        self.assertTrue(all(kept == first for kept, first in rows), rows)
        as_of = date(2024, 5, 15)
        self.assertFalse(engine._later_matches(as_of), "only June's match came later")
        report = self._report(as_of)
        figures = sorted((line.partner_id.id, line.amount_total) for line in report.line_ids)
        self.assertEqual(
            figures,
            sorted([(self.customer_a.id, 500.0), (self.customer_b.id, -100.0)]),
        )
        self.env.cr.execute(
            SQL(
                "UPDATE account_partial_reconcile SET %s = NULL",
                SQL.identifier(MATCH_FIRST_DATE),
            )
        )
        self.assertTrue(engine._later_matches(as_of))
        report = self._report(as_of)
        self.assertEqual(
            sorted((line.partner_id.id, line.amount_total) for line in report.line_ids), figures
        )
        self.assertTrue(self.env["customer.credit.aging.item"]._fill_match_first_dates())
        self.assertFalse(engine._later_matches(as_of))

    def test_first_date_of_an_advance_and_of_a_redated_entry(self):
        """A payment received before its invoice: the match's first date is the
        payment's, and the payment counts as unapplied at a date in between. A matched
        invoice dated again (a write Odoo allows with ``skip_readonly_check``): its
        matches follow, and the aging between the old and the new date is exact."""
        receivable = self.company_data["default_account_receivable"]
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer_b.id,
                "amount": 60.0,
                "date": "2024-04-01",
            }
        )
        payment.action_post()
        invoice = self._invoice(self.customer_b, "2024-05-01", "2024-05-31", 60.0)
        lines = (payment.move_id.line_ids | invoice.line_ids).filtered(
            lambda line: line.account_id == receivable and not line.reconciled
        )
        lines.reconcile()
        self.assertTrue(invoice.line_ids.filtered("reconciled"))
        self.env.flush_all()
        match = invoice.line_ids.matched_credit_ids
        self.assertEqual(match.max_date, date(2024, 5, 1))
        first = self.env.execute_query(
            SQL(
                "SELECT %s FROM account_partial_reconcile WHERE id = %s",
                SQL.identifier(MATCH_FIRST_DATE),
                match.id,
            )
        )[0][0]
        self.assertEqual(first, date(2024, 4, 1))
        # mid-April: the payment was received and not yet applied
        report = self._report(date(2024, 4, 15))
        self.assertAlmostEqual(self._line(report, self.customer_b).amount_total, -160.0, 2)
        self.assertAlmostEqual(self._line(report, self.customer_b).item_count, 2)

        # an invoice of 2024-03-05 paid on 03-10, then dated 2024-02-01
        redated = self._invoice(self.customer_a, "2024-03-05", "2024-03-20", 40.0)
        self._pay(redated, "2024-03-10", 40.0)
        as_of = date(2024, 2, 15)
        before = self._line(self._report(as_of), self.customer_a).amount_total
        redated.with_context(skip_readonly_check=True).write(
            {"date": "2024-02-01", "invoice_date": "2024-02-01"}
        )
        self.env.flush_all()
        self.assertEqual(redated.line_ids.mapped("date"), [date(2024, 2, 1)] * 2)
        self.assertFirstDatesAgree()
        self.assertTrue(self.env["customer.credit.aging.report"]._later_matches(as_of))
        after = self._line(self._report(as_of), self.customer_a).amount_total
        self.assertAlmostEqual(after, before + 40.0, 2)

    def test_past_dates_rebuilt_from_history(self):
        for as_of in (
            "2023-12-31",
            "2024-01-31",
            "2024-02-15",
            "2024-02-29",
            "2024-03-04",
            "2024-03-05",
            "2024-04-09",
            "2024-04-10",
            "2024-04-30",
        ):
            as_of = fields.Date.to_date(as_of)
            report = self._report(as_of)
            expected = self._expected_open(as_of)
            got = {item.move_id: item.amount_open for item in self._items(report)}
            self.assertEqual(set(got), set(expected), as_of)
            for move, amount in expected.items():
                self.assertAlmostEqual(got[move], amount, 2, msg=f"{move.name} at {as_of}")
            # the buckets follow the due dates
            buckets = build_buckets(parse_bucket_spec(DEFAULT_BUCKET_SPEC))
            for item in self._items(report):
                days = (as_of - item.move_id.invoice_date_due).days
                self.assertEqual(item.days_overdue, days)
                self.assertEqual(item.bucket_id.sequence, bucket_index(buckets, days))

    def test_past_date_figures_by_hand(self):
        report = self._report("2024-02-29")
        line_a = self._line(report, self.customer_a)
        line_b = self._line(report, self.customer_b)
        # columns: not due, 1-30, 31-60, 61-90, 91-120, over 120
        self.assertEqual(
            report.bucket_ids.mapped("name"),
            ["Not due", "1–30", "31–60", "61–90", "91–120", "121+"],
        )
        self.assertEqual(self._amounts(line_a), [500.0, 700.0, 0.0, 0.0, 0.0, 0.0])
        self.assertEqual(self._amounts(line_b), [0.0, -100.0, 0.0, 0.0, 0.0, 800.0])
        self.assertAlmostEqual(line_a.amount_total, 1200.0, 2)
        self.assertAlmostEqual(line_b.amount_total, 700.0, 2)
        self.assertEqual(line_a.grade_id, self.grade_aa)
        self.assertEqual(line_a.credit_limit, 5000.0)
        self.assertFalse(line_a.credit_hold)
        self.assertTrue(line_b.credit_hold)
        self.assertEqual(line_b.days_overdue_max, 121)
        summary = report._summary_by_company()[0]
        self.assertEqual(
            [round(a, 2) for a in summary["buckets"]], [500.0, 600.0, 0.0, 0.0, 0.0, 800.0]
        )
        self.assertAlmostEqual(summary["total"], 1900.0, 2)
        self.assertEqual(summary["customer_count"], 2)
        self.assertEqual(summary["currency"], self.usd)

        # by invoice date: days since the invoice
        report = self._report("2024-02-29", aging_basis="invoice")
        self.assertEqual(report.bucket_ids[0].name, "Current")
        self.assertEqual(
            self._amounts(self._line(report, self.customer_a)), [0.0, 500.0, 700.0, 0.0, 0.0, 0.0]
        )
        self.assertEqual(
            self._amounts(self._line(report, self.customer_b)), [0.0, -100.0, 0.0, 0.0, 0.0, 800.0]
        )

        # custom buckets
        report = self._report("2024-02-29", bucket_spec="1-60, 61+")
        self.assertEqual(report.bucket_ids.mapped("name"), ["Not due", "1–60", "61+"])
        self.assertEqual(self._amounts(self._line(report, self.customer_a)), [500.0, 700.0, 0.0])

    def test_foreign_currency(self):
        # 1 USD = 2 EUR until March 2024, then 2.5: 1000 EUR invoiced in January = 500 USD.
        invoice = self._invoice(
            self.customer_a, "2024-01-15", "2024-01-15", 1000.0, currency=self.eur
        )
        self.assertAlmostEqual(invoice.amount_total_signed, 500.0, 2)
        self._pay(invoice, "2024-03-10", 400.0, currency=self.eur)  # 160 USD + 40 USD exchange loss
        before = self._report("2024-03-09")
        after = self._report("2024-03-31")
        today = self._report(fields.Date.context_today(self.env.user))

        def open_of(report):
            items = self._items(report).filtered(lambda i: i.move_id == invoice)
            return sum(items.mapped("amount_open"))

        self.assertAlmostEqual(open_of(before), 500.0, 2)
        # 600 EUR still open, valued at the invoice's rate
        self.assertAlmostEqual(open_of(after), 300.0, 2)
        self.assertAlmostEqual(
            open_of(today),
            invoice.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            ).amount_residual,
            2,
        )
        item = self._items(today).filtered(lambda i: i.move_id == invoice)
        self.assertEqual(item.currency_id, self.usd)
        self.assertEqual(item.document_currency_id, self.eur)
        self.assertAlmostEqual(item.amount_currency, 1000.0, 2)
        _lines, residual = self._receivable_residual(self.company)
        self.assertAlmostEqual(today._summary_by_company()[0]["total"], residual, 2)

    def test_several_companies_never_mixed(self):
        company_2 = self.setup_other_company(name="Aging Company 2", currency_id=self.eur.id)[
            "company"
        ]
        self.env.user.company_ids = [Command.link(company_2.id)]
        self._invoice(self.customer_a, "2024-02-01", "2024-02-01", 250.0, company=company_2)
        self._invoice(self.customer_b, "2024-02-10", "2024-02-10", 90.0, company=company_2)
        report = self._report(
            "2024-02-29", company_ids=[Command.set((self.company | company_2).ids)]
        )
        summary = {block["company"]: block for block in report._summary_by_company()}
        self.assertEqual(set(summary), {self.company, company_2})
        self.assertEqual(summary[self.company]["currency"], self.usd)
        self.assertEqual(summary[company_2]["currency"], self.eur)
        self.assertAlmostEqual(summary[self.company]["total"], 1900.0, 2)
        self.assertAlmostEqual(summary[company_2]["total"], 340.0, 2)
        line_a2 = self._line(report, self.customer_a, company_2)
        self.assertEqual(line_a2.currency_id, self.eur)
        self.assertAlmostEqual(line_a2.amount_total, 250.0, 2)
        # grade and hold are per company: none in company 2
        self.assertFalse(line_a2.grade_id)
        self.assertFalse(self._line(report, self.customer_b, company_2).credit_hold)
        # today, each company equals its residual
        today = self._report(
            fields.Date.context_today(self.env.user),
            company_ids=[Command.set((self.company | company_2).ids)],
        )
        for block in today._summary_by_company():
            _lines, residual = self._receivable_residual(block["company"])
            self.assertAlmostEqual(block["total"], residual, 2)
        # the summary list groups by company (one currency per block)
        self.assertEqual(today.action_open_summary()["context"]["group_by"], ["company_id"])

    def test_filters(self):
        report = self._report("2024-02-29", partner_ids=[Command.set(self.contact_b.ids)])
        self.assertEqual(report.line_ids.partner_id, self.customer_b)
        report = self._report("2024-02-29", grade_ids=[Command.set(self.grade_aa.ids)])
        self.assertEqual(report.line_ids.partner_id, self.customer_a)
        report = self._report("2024-02-29", user_ids=[Command.set(self.seller.ids)])
        self.assertEqual(self._items(report).move_id, self.inv1)
        self.assertAlmostEqual(report.line_ids.amount_total, 700.0, 2)

    # ------------------------------------------------------------------ screen

    def test_drill_down_and_analysis(self):
        report = self._report("2024-02-29")
        action = report.action_compute()
        self.assertEqual(action["res_model"], "customer.credit.aging.line")
        self.assertEqual(action["context"]["aging_bucket_count"], 6)
        Line = self.env["customer.credit.aging.line"]
        self.assertEqual(len(Line.search(action["domain"])), 2)
        line_a = self._line(report, self.customer_a)
        # the summary writes no item rows; the first drill-down writes them, once
        Item = self.env["customer.credit.aging.item"]
        self.assertFalse(report.items_computed_on)
        self.assertFalse(Item.search_count([("report_id", "=", report.id)]))
        self.assertEqual(report.item_count, sum(report.line_ids.mapped("item_count")))
        items_action = line_a.action_open_items()
        self.assertTrue(report.items_computed_on)
        self.assertEqual(Item.search_count([("report_id", "=", report.id)]), report.item_count)
        report.action_open_items()
        self.assertEqual(Item.search_count([("report_id", "=", report.id)]), report.item_count)
        items = self.env["customer.credit.aging.item"].search(items_action["domain"])
        self.assertEqual(items.move_id, self.inv1 | self.inv2)  # inv1 is paid today, open then
        self.assertAlmostEqual(sum(items.mapped("amount_open")), line_a.amount_total, 2)
        bucket_action = line_a.with_context(aging_bucket_index=1).action_open_bucket()
        items = self.env["customer.credit.aging.item"].search(bucket_action["domain"])
        self.assertEqual(items.move_id, self.inv1)
        self.assertAlmostEqual(sum(items.mapped("amount_open")), line_a.bucket_1_amount, 2)
        move_lines = line_a.action_open_move_lines()
        self.assertEqual(
            self.env["account.move.line"].search(move_lines["domain"]).move_id,
            self.inv1 | self.inv2,
        )
        # pivot/graph by bucket, salesperson and grade (ordered by bucket)
        by_bucket = Item._read_group(
            [("report_id", "=", report.id)], ["bucket_id"], ["amount_open:sum"]
        )
        self.assertEqual([b.sequence for b, _a in by_bucket], [0, 1, 5])
        self.assertEqual([round(a, 2) for _b, a in by_bucket], [500.0, 600.0, 800.0])
        by_grade = dict(
            Item._read_group([("report_id", "=", report.id)], ["grade_id"], ["amount_open:sum"])
        )
        self.assertAlmostEqual(by_grade[self.grade_aa], 1200.0, 2)
        by_user = dict(
            Item._read_group([("report_id", "=", report.id)], ["user_id"], ["amount_open:sum"])
        )
        self.assertAlmostEqual(by_user[self.seller], 700.0, 2)
        analysis = report.action_open_analysis()
        self.assertEqual(analysis["views"][0][1], "pivot")
        # column titles follow the run's buckets
        labels = Line.with_context(aging_report_id=report.id).fields_get(
            ["bucket_0_amount", "bucket_5_amount"], ["string"]
        )
        self.assertEqual(labels["bucket_0_amount"]["string"], "Not due")
        self.assertEqual(labels["bucket_5_amount"]["string"], "121+")
        # the views load
        for model in ("customer.credit.aging.line", "customer.credit.aging.item"):
            views = (
                self.env[model]
                .with_context(aging_report_id=report.id)
                .get_views([(False, "list"), (False, "pivot"), (False, "graph"), (False, "search")])
            )
            self.assertEqual(set(views["views"]), {"list", "pivot", "graph", "search"})
        # options changed: results recomputed on next use
        report.bucket_spec = "1-60, 61+"
        self.assertEqual(report.state, "draft")
        report.action_open_summary()
        self.assertEqual(len(report.bucket_ids), 3)
        self.assertFalse(report.items_computed_on)
        self.assertFalse(Item.search_count([("report_id", "=", report.id)]))
        # the items follow the new buckets
        self.assertLessEqual(self._items(report).bucket_id, report.bucket_ids)

    # ------------------------------------------------------------------ files

    def test_xlsx_totals_equal_screen(self):
        report = self._report("2024-02-29")
        content = report._generate_xlsx()
        book = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
        self.assertEqual(len(book.sheetnames), 2)
        summary_sheet, detail_sheet = book.worksheets
        rows = list(summary_sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][0], report.name)
        self.assertIn(("As of", "2024-02-29"), [r[:2] for r in rows[1:10]])
        header_index = next(
            i for i, r in enumerate(rows) if r[0] == "Company" and r[1] == "Customer"
        )
        header = rows[header_index]
        self.assertEqual(list(header[7:13]), report.bucket_ids.mapped("name"))
        self.assertEqual(summary_sheet.freeze_panes, f"C{header_index + 2}")
        self.assertTrue(summary_sheet.auto_filter.ref)
        data = [r for r in rows[header_index + 1 :] if r[0] and not str(r[0]).startswith("Total")]
        totals = [r for r in rows[header_index + 1 :] if r[0] and str(r[0]).startswith("Total")]
        self.assertEqual(len(data), len(report.line_ids))
        self.assertEqual(len(totals), 1)
        screen = report._summary_by_company()[0]
        self.assertEqual(
            [round(v, 2) for v in totals[0][7:13]], [round(v, 2) for v in screen["buckets"]]
        )
        self.assertAlmostEqual(totals[0][13], screen["total"], 2)
        self.assertAlmostEqual(sum(r[13] for r in data), screen["total"], 2)
        self.assertAlmostEqual(sum(line.amount_total for line in report.line_ids), totals[0][13], 2)
        # the currency is in the number format
        total_cell = summary_sheet.cell(row=header_index + 1 + len(data) + 1, column=14)
        self.assertIn("$", total_cell.number_format)
        # detail sheet: one row per open item, same total
        rows = list(detail_sheet.iter_rows(values_only=True))
        header_index = next(
            i for i, r in enumerate(rows) if r[0] == "Company" and r[1] == "Customer"
        )
        data = [r for r in rows[header_index + 1 :] if r[0] and not str(r[0]).startswith("Total")]
        self.assertFalse(report.items_computed_on)  # the detail sheet came from the ledger
        self.assertEqual(len(data), len(self._items(report)))
        self.assertAlmostEqual(sum(r[11] for r in data), screen["total"], 2)
        # once the items are written, the detail sheet reads them: same rows
        book = openpyxl.load_workbook(io.BytesIO(report._generate_xlsx()), data_only=True)
        self.assertEqual(list(book.worksheets[1].iter_rows(values_only=True)), rows)
        self.assertTrue(detail_sheet.auto_filter.ref)

    def test_xlsx_with_an_overlong_name(self):
        # the rows come through COPY and csv: a name longer than csv's default field
        # limit (131,072 characters) is written, cut at Excel's 32,767
        self.customer_a.name = "A" * 150_000
        report = self._report("2024-02-29")
        book = openpyxl.load_workbook(io.BytesIO(report._generate_xlsx()), read_only=True)
        names = [row[1] for row in book.worksheets[0].iter_rows(values_only=True)]
        self.assertIn("A" * 32767, names)

    def test_memory_setting_given_back_after_the_aging_statements(self):
        # the summary and the detail raise PostgreSQL's work_mem for themselves only
        # (and the summary's parallel costs: zero for the summary only)
        self.env.cr.execute("SET LOCAL work_mem = '7MB'")
        self.env.cr.execute("SET LOCAL parallel_setup_cost = 1234")
        self.env.cr.execute("SET LOCAL parallel_tuple_cost = 0.5")
        report = self._report("2024-02-29")
        report._generate_xlsx()
        self.env.cr.execute(
            "SELECT current_setting('work_mem'), current_setting('parallel_setup_cost'),"
            " current_setting('parallel_tuple_cost')"
        )
        self.assertEqual(self.env.cr.fetchone(), ("7MB", "1234", "0.5"))
        # today's run streams the exposure ledger with hash aggregation off, for itself
        self.env.cr.execute("SET LOCAL enable_hashagg = on")
        today = self._report(self._today_without_later_matches())
        self.assertTrue(today.line_ids)
        self.env.cr.execute(
            "SELECT current_setting('work_mem'), current_setting('parallel_setup_cost'),"
            " current_setting('enable_hashagg')"
        )
        self.assertEqual(self.env.cr.fetchone(), ("7MB", "1234", "on"))

    def test_memory_setting_from_the_system_parameter(self):
        Param = self.env["ir.config_parameter"].sudo()
        report = self._report("2024-02-29")
        self.assertEqual(report._aging_work_mem(), "256MB")
        Param.set_param("customer_credit.aging_work_mem", "64MB")
        self.assertEqual(report._aging_work_mem(), "64MB")
        report._run_aging()  # runs with it
        self.assertAlmostEqual(sum(report.line_ids.mapped("amount_total")), 1900.0, 2)
        Param.set_param("customer_credit.aging_work_mem", "0")  # PostgreSQL's own
        self.assertIsNone(report._aging_work_mem())
        report._generate_xlsx()
        Param.set_param("customer_credit.aging_work_mem", "lots")
        with self.assertLogs("odoo.addons.customer_credit", "WARNING") as logs:
            self.assertEqual(report._aging_work_mem(), "256MB")
        self.assertIn("not a size", logs.output[0])

    def test_setting_given_back_after_a_python_error(self):
        self.env.cr.execute("SET LOCAL work_mem = '7MB'")
        with (
            self.assertRaises(ZeroDivisionError),
            local_setting(self.env.cr, "work_mem", "9MB"),
        ):
            self.env.cr.execute("SHOW work_mem")
            self.assertEqual(self.env.cr.fetchone()[0], "9MB")
            _never = 1 / 0
        self.env.cr.execute("SHOW work_mem")
        self.assertEqual(self.env.cr.fetchone()[0], "7MB")

    def test_failed_statement_keeps_its_own_error(self):
        # nothing runs after a failure in the block: the caller sees the real error,
        # and the rollback to the savepoint undoes the setting
        self.env.cr.execute("SET LOCAL work_mem = '7MB'")
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.DivisionByZero),
            self.env.cr.savepoint(),
            local_setting(self.env.cr, "work_mem", "9MB"),
        ):
            self.env.cr.execute("SELECT 1 / 0")
        self.env.cr.execute("SHOW work_mem")
        self.assertEqual(self.env.cr.fetchone()[0], "7MB")

    # ------------------------------------------------------------------ bad input

    def test_bad_input(self):
        Report = self.env["customer.credit.aging.report"]
        tomorrow = fields.Date.add(fields.Date.context_today(self.env.user), days=1)
        with self.assertRaisesRegex(ValidationError, "in the future"):
            Report.create({"date_as_of": tomorrow})
        with self.assertRaisesRegex(ValidationError, "at least one aging bucket"):
            Report.create({"bucket_spec": " , "})
        with self.assertRaisesRegex(ValidationError, "overlap"):
            Report.create({"bucket_spec": "1-30, 25-60, 61+"})
        with self.assertRaisesRegex(ValidationError, "gap"):
            Report.create({"bucket_spec": "1-30, 45-60"})
        with self.assertRaisesRegex(ValidationError, "not a range"):
            Report.create({"bucket_spec": "1-30, soon"})
        report = Report.create({})
        # assertRaises (not ...Regex) rolls back to a savepoint: nothing half-written
        with self.assertRaises(ValidationError) as caught:
            report.bucket_spec = "1-30, 30-60"
        self.assertIn("overlap", str(caught.exception))
        self.assertEqual(report.bucket_spec, DEFAULT_BUCKET_SPEC)
        self.assertFalse(report.line_ids)

    # ------------------------------------------------------------------ access

    def test_access(self):
        basic = new_test_user(self.env, login="aging_basic", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.env["customer.credit.aging.report"].with_user(basic).create({})
        invoicing = new_test_user(
            self.env,
            login="aging_invoicing",
            groups="account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        report = (
            self.env["customer.credit.aging.report"]
            .with_user(invoicing)
            .create({"date_as_of": "2024-02-29", "company_ids": [Command.set(self.company.ids)]})
        )
        report.action_compute()
        self.assertAlmostEqual(sum(report.line_ids.mapped("amount_total")), 1900.0, 2)
        # someone else's run is private
        with self.assertRaises(AccessError):
            report.with_user(self.env.user).line_ids.check_access("read")
        mine = self._report("2024-02-29")
        with self.assertRaises(AccessError):
            mine.with_user(invoicing).read(["date_as_of"])
        # a company the user cannot access is refused
        other = self.setup_other_company(name="Aging Elsewhere")["company"]
        with self.assertRaises(AccessError):
            self.env["customer.credit.aging.report"].with_user(invoicing).create(
                {"company_ids": [Command.set(other.ids)]}
            )._run_aging()


@tagged("post_install", "-at_install")
class TestReceivableAgingDownload(HttpCase):
    def test_xlsx_route(self):
        admin = self.env.ref("base.user_admin")
        report = (
            self.env["customer.credit.aging.report"]
            .with_user(admin)
            .create({"date_as_of": date(2024, 2, 29)})
        )
        report._run_aging()
        action = report.action_export_xlsx()
        self.authenticate("admin", "admin")
        response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"PK"))
        self.assertIn("receivable_aging_2024-02-29.xlsx", response.headers["Content-Disposition"])
        book = openpyxl.load_workbook(io.BytesIO(response.content), data_only=True)
        self.assertEqual(len(book.worksheets), 2)


@tagged("post_install", "-at_install")
class TestReceivableAgingPdf(AgingCommon, HttpCase):
    """wkhtmltopdf fetches the report assets over HTTP: the test server must share
    the test cursor, hence an HttpCase."""

    def test_pdf_summary(self):
        report = self._report("2024-02-29")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("customer_credit.action_report_receivable_aging", report.ids)[0]
            .decode()
        )
        self.assertIn("Aging Customer A", html)
        self.assertIn("Aging Customer B", html)
        self.assertIn("121+", html)
        self.assertIn("1,900.00", html)
        self.assertIn("2024-02-29", html)
        pdf, report_type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("customer_credit.action_report_receivable_aging", report.ids)
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.env.company.external_report_layout_id = self.env.ref("web.external_layout_standard")
        action = report.action_print_pdf()
        self.assertEqual(action["report_name"], "customer_credit.report_receivable_aging")


@tagged("post_install", "-at_install")
class TestAgingColumnTitles(AgingCommon):
    """Columns an accountant reads without a legend: named by their range everywhere,
    a grand total row, no row for a customer with nothing open."""

    CUSTOM_SPEC = "1-15, 16-45, 46-90, 91+"  # boundaries 0 / 15 / 45 / 90
    CUSTOM_LABELS = ["Not due", "1–15", "16–45", "46–90", "91+"]

    def _client_fields(self, action, lang="en_US", views=("list", "pivot", "graph", "search")):
        """get_views as the web client calls it: only lang and *_view_ref keys of the
        action's context reach the server."""
        context = {k: v for k, v in action["context"].items() if k.endswith("_view_ref")}
        Line = self.env["customer.credit.aging.line"].with_context(lang=lang, **context)
        result = Line.get_views([(False, view) for view in views])
        return result["views"], result["models"]["customer.credit.aging.line"]["fields"]

    def _xlsx_summary(self, report):
        book = openpyxl.load_workbook(io.BytesIO(report._generate_xlsx()), data_only=True)
        rows = list(book.worksheets[0].iter_rows(values_only=True))
        header_index = next(
            i for i, r in enumerate(rows) if r[0] == "Company" and r[1] == "Customer"
        )
        body = [r for r in rows[header_index + 1 :] if r[0]]
        data = [r for r in body if "Total" not in str(r[0])]
        totals = [r for r in body if "Total" in str(r[0])]
        return rows[header_index], data, totals

    def test_default_titles_in_list_pivot_graph(self):
        report = self._report("2024-02-29")
        views, fields_ = self._client_fields(report.action_open_summary())
        expected = ["Not due", "1–30", "31–60", "61–90", "91–120", "121+"]
        self.assertEqual([fields_[f"bucket_{i}_amount"]["string"] for i in range(6)], expected)
        # the columns the run does not have are hidden, the others shown and summed
        list_arch = etree.fromstring(views["list"]["arch"])
        for index in range(10):
            node = list_arch.xpath(f"//field[@name='bucket_{index}_amount']")[0]
            self.assertEqual(node.get("column_invisible") == "1", index >= 6, index)
        pivot_arch = etree.fromstring(views["pivot"]["arch"])
        measures = pivot_arch.xpath("//field[@type='measure']/@name")
        self.assertEqual(measures, [*(f"bucket_{i}_amount" for i in range(6)), "amount_total"])
        graph_arch = etree.fromstring(views["graph"]["arch"])
        hidden = graph_arch.xpath("//field[@invisible='1']/@name")
        self.assertEqual(hidden, [f"bucket_{i}_amount" for i in range(6, 10)])
        # without a run (e.g. the model opened from elsewhere): the default buckets
        plain = self.env["customer.credit.aging.line"].fields_get(["bucket_5_amount"], ["string"])
        self.assertEqual(plain["bucket_5_amount"]["string"], "121+")

    def test_custom_buckets_everywhere(self):
        report = self._report("2024-02-29", bucket_spec=self.CUSTOM_SPEC)
        self.assertEqual(report.bucket_ids.mapped("name"), self.CUSTOM_LABELS)
        action = report.action_open_summary()
        views, fields_ = self._client_fields(action)
        self.assertEqual(
            [fields_[f"bucket_{i}_amount"]["string"] for i in range(5)], self.CUSTOM_LABELS
        )
        pivot_arch = etree.fromstring(views["pivot"]["arch"])
        self.assertEqual(
            pivot_arch.xpath("//field[@type='measure']/@name"),
            [*(f"bucket_{i}_amount" for i in range(5)), "amount_total"],
        )
        # the items' bucket (pivot and graph of the analysis) carries the same names
        items = self._items(report)
        self.assertLessEqual(set(items.bucket_id.mapped("name")), set(self.CUSTOM_LABELS))
        # A: 500 due 2024-03-02 (not due), 700 left of inv1 due 2024-02-09 (20 days: 16–45);
        # B: -100 refund due 2024-02-20 (9 days: 1–15), 800 due 2023-10-31 (121 days: 91+)
        self.assertEqual(self._amounts(self._line(report, self.customer_a)), [500, 0, 700, 0, 0])
        self.assertEqual(self._amounts(self._line(report, self.customer_b)), [0, -100, 0, 0, 800])
        # XLSX: same titles, one total row for the one company
        header, data, totals = self._xlsx_summary(report)
        self.assertEqual(list(header[7:12]), self.CUSTOM_LABELS)
        self.assertEqual(header[12], "Total")
        self.assertEqual(len(data), 2)
        self.assertEqual(len(totals), 1)
        self.assertEqual(totals[0][0], f"Total {self.company.name} (USD)")
        self.assertEqual([round(v, 2) for v in totals[0][7:12]], [500, -100, 700, 0, 800])
        self.assertAlmostEqual(totals[0][12], 1900.0, 2)
        # PDF: same titles, the total row
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("customer_credit.action_report_receivable_aging", report.ids)[0]
            .decode()
        )
        for label in self.CUSTOM_LABELS:
            self.assertIn(f">{label}</th>", html)
        self.assertIn(f"Total {self.company.name} (USD)", html)
        self.assertNotIn("Grand Total", html)

    def test_titles_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        report = self._report("2024-02-29", bucket_spec=self.CUSTOM_SPEC)
        _views, fields_ = self._client_fields(report.action_open_summary(), lang="zh_CN")
        self.assertEqual(
            [fields_[f"bucket_{i}_amount"]["string"] for i in range(5)],
            ["未到期", "1–15 天", "16–45 天", "46–90 天", "91 天及以上"],
        )
        labels = report.with_context(lang="zh_CN")._bucket_column_labels()
        self.assertEqual(labels[0], "未到期")
        self.assertEqual(labels[-1], "91 天及以上")
        # by invoice date, and a one-day bucket
        report = self._report("2024-02-29", aging_basis="invoice", bucket_spec="0, 1-30, 31+")
        self.assertEqual(report.bucket_ids.mapped("name"), ["Current", "Day 0", "1–30", "31+"])
        self.assertEqual(
            report.with_context(lang="zh_CN")._bucket_column_labels(),
            ["当期", "第 0 天", "1–30 天", "31 天及以上"],
        )

    def test_grand_totals(self):
        # a second company in the same currency: a grand total in it under the two blocks
        usd_company = self.setup_other_company(name="Aging Company USD")["company"]
        self.assertEqual(usd_company.currency_id, self.usd)
        eur_company = self.setup_other_company(name="Aging Company EUR", currency_id=self.eur.id)[
            "company"
        ]
        self.env.user.company_ids = [Command.link(usd_company.id), Command.link(eur_company.id)]
        self._invoice(self.customer_a, "2024-02-01", "2024-02-01", 250.0, company=usd_company)
        self._invoice(self.customer_b, "2024-02-10", "2024-02-10", 90.0, company=eur_company)
        both_usd = self._report(
            "2024-02-29", company_ids=[Command.set((self.company | usd_company).ids)]
        )
        _header, data, totals = self._xlsx_summary(both_usd)
        self.assertEqual(len(data), 3)
        # one total per company block (in company order), then the grand total
        self.assertEqual(
            sorted(row[0] for row in totals[:2]),
            sorted([f"Total {self.company.name} (USD)", "Total Aging Company USD (USD)"]),
        )
        self.assertEqual(totals[2][0], "Grand Total (USD)")
        # 1900 + 250 due 2024-02-01 (28 days: 1–30)
        self.assertEqual([round(v, 2) for v in totals[2][7:13]], [500, 850, 0, 0, 0, 800])
        self.assertAlmostEqual(totals[2][13], 2150.0, 2)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("customer_credit.action_report_receivable_aging", both_usd.ids)[0]
            .decode()
        )
        self.assertIn("Grand Total (USD)", html)
        self.assertIn("2,150.00", html)
        # several currencies: one total per company block, never added together
        mixed = self._report(
            "2024-02-29", company_ids=[Command.set((self.company | eur_company).ids)]
        )
        _header, _data, totals = self._xlsx_summary(mixed)
        self.assertEqual(
            sorted((row[0], round(row[13], 2)) for row in totals),
            sorted(
                [
                    (f"Total {self.company.name} (USD)", 1900.0),
                    ("Total Aging Company EUR (EUR)", 90.0),
                ]
            ),
        )
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("customer_credit.action_report_receivable_aging", mixed.ids)[0]
            .decode()
        )
        self.assertNotIn("Grand Total", html)
        self.assertIn("Total Aging Company EUR (EUR)", html)

    def test_no_row_for_nothing_open(self):
        paid = self.env["res.partner"].create({"name": "Aging Paid Up"})
        later = self.env["res.partner"].create({"name": "Aging Invoiced Later"})
        credited = self.env["res.partner"].create({"name": "Aging Credited"})
        idle = self.env["res.partner"].create({"name": "Aging Idle"})
        invoice = self._invoice(paid, "2024-01-05", "2024-02-04", 400.0)
        self._pay(invoice, "2024-01-20", 400.0)
        self._invoice(later, "2024-03-15", "2024-04-14", 250.0)
        invoice = self._invoice(credited, "2024-01-10", "2024-02-09", 300.0)
        refund = self._invoice(credited, "2024-01-12", "2024-01-12", 300.0, "out_refund")
        (invoice | refund).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        ).reconcile()
        report = self._report("2024-02-29")
        self.assertEqual(report.line_ids.partner_id, self.customer_a | self.customer_b)
        for line in report.line_ids:
            self.assertTrue(line.item_count)
            self.assertTrue(any(self._amounts(line)))
        _header, data, _totals = self._xlsx_summary(report)
        self.assertEqual(sorted(row[1] for row in data), ["Aging Customer A", "Aging Customer B"])
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("customer_credit.action_report_receivable_aging", report.ids)[0]
            .decode()
        )
        for partner in (paid, later, credited, idle):
            self.assertNotIn(partner.name, html)
        # as of today, the later invoice is open and gets its row; the others still none
        today = self._report(fields.Date.context_today(self.env.user))
        self.assertIn(later, today.line_ids.partner_id)
        self.assertFalse(today.line_ids.partner_id & (paid | credited | idle))
