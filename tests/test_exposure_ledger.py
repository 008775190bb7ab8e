from datetime import timedelta

from odoo.tests import tagged
from odoo.tools import SQL

from .. import uninstall_hook
from ..tools import exposure_ledger
from ..tools.aging_sql import MATCH_FIRST_DATE
from ..tools.credit_exposure import ledger_orders_text
from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestExposureLedger(CreditCommon):
    """The tables the database keeps for the exposure (tools/exposure_ledger.py) follow
    every write to the documents; every credit test also checks, after it ran, that they
    equal the documents (CreditCommon.assertExposureLedgerAgrees)."""

    def _items(self, partner):
        return self.env.execute_query(
            SQL(
                "SELECT kind, amount FROM customer_credit_exposure_item"
                " WHERE partner_id = %s ORDER BY kind, amount",
                partner.id,
            )
        )

    def _order_amount(self, order):
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL("SELECT amount FROM customer_credit_exposure_order WHERE order_id = %s", order.id)
        )
        return float(rows[0][0]) if rows else None

    def test_items_follow_posting_payment_and_reversal(self):
        draft = self.make_invoice(self.customer, 1000.0, post=False)
        self.env.flush_all()
        self.assertEqual(self._items(self.customer), [("i", 1000)])
        draft.action_post()
        self.env.flush_all()
        self.assertEqual(self._items(self.customer), [("d", 1000)])
        self.pay(draft, amount=400.0)
        self.env.flush_all()
        self.assertEqual(self._items(self.customer), [("d", 600)])
        self.pay(draft)
        self.env.flush_all()
        self.assertEqual(self._items(self.customer), [])
        # the payment returned (unreconciled): the debt is open again at once
        draft.line_ids.filtered("reconciled").remove_move_reconcile()
        self.env.flush_all()
        self.assertEqual(self._items(self.customer), [("c", -600), ("c", -400), ("d", 1000)])
        self.assertEqual(self.exposure(self.customer).credit_exposure, 0.0)
        self.assertEqual(self.exposure(self.customer).credit_unapplied, -1000.0)

    def _total(self, partner):
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                "SELECT amount, debt_due FROM customer_credit_exposure_total"
                " WHERE partner_id = %s AND company_id = %s",
                partner.id,
                self.company.id,
            )
        )
        return (float(rows[0][0]), rows[0][1]) if rows else None

    def test_totals_follow_items_and_orders(self):
        """The per-customer totals (what "over limit" and the quotation filters read):
        the sum of the customer's items and orders, and the earliest due date of its
        open debts, found again when that debt is paid or leaves."""
        self.assertIsNone(self._total(self.customer))
        old = self.make_invoice(self.customer, 100.0, due_in_days=-40)
        new = self.make_invoice(self.customer, 300.0, due_in_days=10)
        due_old, due_new = old.invoice_date_due, new.invoice_date_due
        self.assertEqual(self._total(self.customer), (400.0, due_old))
        self.pay(old, amount=60.0)  # partial: the oldest debt stays the oldest
        self.assertEqual(self._total(self.customer), (340.0, due_old))
        self.pay(old)  # paid: the next debt is the earliest
        self.assertEqual(self._total(self.customer), (300.0, due_new))
        self.make_invoice(self.customer, 50.0, move_type="out_refund")  # a credit
        self.make_invoice(self.customer, 20.0, post=False)  # a draft
        order = self.make_order(self.customer, 500.0)
        self.assertEqual(self._total(self.customer), (770.0, due_new))
        order._action_cancel()
        new.button_draft()  # the debt leaves; the draft counts instead, with no due date
        self.assertEqual(self._total(self.customer), (270.0, None))
        # a line moved to another customer in SQL (a partner merge) moves its amount
        new.action_post()
        self.env.flush_all()
        line = new.line_ids.filtered(lambda aml: aml.account_id.account_type == "asset_receivable")
        self.env.cr.execute(
            SQL(
                "UPDATE account_move_line SET partner_id = %s WHERE id = %s",
                self.other_customer.id,
                line.id,
            )
        )
        self.assertEqual(self._total(self.customer), (-30.0, None))
        self.assertEqual(self._total(self.other_customer), (300.0, due_new))
        self.env.invalidate_all()
        # a contact's documents count for its company (an invoice's receivable line is
        # the company's); a contact's order and draft invoice move with the contact
        self.make_invoice(self.contact, 40.0, due_in_days=-5)
        due_contact = self.today - timedelta(days=5)
        self.make_order(self.contact, 25.0)
        self.make_invoice(self.contact, 5.0, post=False)
        self.assertEqual(self._total(self.customer), (40.0, due_contact))
        self.contact.parent_id = self.other_customer
        self.assertEqual(self._total(self.customer), (10.0, due_contact))
        self.assertEqual(self._total(self.other_customer), (330.0, due_new))

    def test_draft_moves_reset_cancelled_and_deleted(self):
        invoice = self.make_invoice(self.customer, 300.0)
        invoice.button_draft()
        self.env.flush_all()
        self.assertEqual(self._items(self.customer), [("i", 300)])
        invoice.button_cancel()
        self.env.flush_all()
        self.assertEqual(self._items(self.customer), [])
        other = self.make_invoice(self.customer, 50.0, post=False)
        other.unlink()
        self.env.flush_all()
        self.assertEqual(self._items(self.customer), [])

    def test_order_amount_follows_confirmation_invoicing_and_cancel(self):
        order = self.make_order(self.customer, 2000.0, taxes=self.tax_10)
        self.assertEqual(self._order_amount(order), 2200.0)
        invoice = order._create_invoices()
        self.assertIsNone(self._order_amount(order))  # all invoiced (a draft invoice)
        invoice.button_cancel()
        self.assertEqual(self._order_amount(order), 2200.0)
        order._action_cancel()
        self.assertIsNone(self._order_amount(order))
        draft = self.make_order(self.customer, 500.0, confirm=False)
        self.assertIsNone(self._order_amount(draft))
        draft.order_line.write({"product_uom_qty": 2, "price_unit": 500.0})
        draft.action_confirm()
        self.assertEqual(self._order_amount(draft), 1000.0)
        draft.order_line.write({"product_uom_qty": 3, "price_unit": 500.0})  # raised
        self.assertEqual(self._order_amount(draft), 1500.0)

    def test_sql_writes_and_an_account_changing_type_are_followed(self):
        invoice = self.make_invoice(self.customer, 800.0)
        self.env.flush_all()
        line = invoice.line_ids.filtered(
            lambda aml: aml.account_id.account_type == "asset_receivable"
        )
        # a write in SQL, as a partner merge does: the item moves with the line
        self.env.cr.execute(
            SQL(
                "UPDATE account_move_line SET partner_id = %s WHERE id = %s",
                self.other_customer.id,
                line.id,
            )
        )
        self.assertEqual(self._items(self.customer), [])
        self.assertEqual(self._items(self.other_customer), [("d", 800)])
        self.env.cr.execute(
            SQL(
                "UPDATE account_move_line SET partner_id = %s WHERE id = %s",
                self.customer.id,
                line.id,
            )
        )
        # the account stops being receivable, then is again
        account = line.account_id
        self.env.cr.execute(
            SQL(
                "UPDATE account_account SET account_type = 'asset_current' WHERE id = %s",
                account.id,
            )
        )
        self.assertEqual(self._items(self.customer), [])
        self.env.cr.execute(
            SQL(
                "UPDATE account_account SET account_type = 'asset_receivable' WHERE id = %s",
                account.id,
            )
        )
        self.assertEqual(self._items(self.customer), [("d", 800)])
        self.env.invalidate_all()

    def test_rebuild_gives_what_the_triggers_kept(self):
        self.make_invoice(self.customer, 100.0)
        self.make_invoice(self.contact, 70.0, post=False)
        self.make_invoice(self.other_customer, 30.0, move_type="out_refund")
        self.make_order(self.other_customer, 400.0)
        self.env.flush_all()
        query = SQL(
            "SELECT line_id, move_id, partner_id, company_id, account_id, kind, due, amount"
            " FROM customer_credit_exposure_item ORDER BY line_id, move_id"
        )
        kept = self.env.execute_query(query)
        orders_query = SQL("SELECT * FROM customer_credit_exposure_order ORDER BY order_id")
        orders = self.env.execute_query(orders_query)
        # totals of nothing (a customer whose last item went) are not rebuilt
        totals_query = SQL(
            "SELECT * FROM customer_credit_exposure_total WHERE amount <> 0 OR debt_due IS NOT NULL"
            " ORDER BY partner_id, company_id"
        )
        totals = self.env.execute_query(totals_query)
        self.assertTrue(totals)
        self.env["customer.credit.monitor"]._rebuild_exposure_ledger()
        self.assertEqual(self.env.execute_query(query), kept)
        self.assertEqual(self.env.execute_query(orders_query), orders)
        self.assertEqual(self.env.execute_query(totals_query), totals)
        # the totals' triggers are on again after the rebuild
        self.make_invoice(self.other_customer, 10.0)
        self.assertEqual(self._total(self.other_customer)[0], 400.0 - 30.0 + 10.0)

    def test_install_is_idempotent_and_uninstall_leaves_nothing(self):
        cr = self.env.cr
        texts = (ledger_orders_text(restricted=True), ledger_orders_text(restricted=False))
        self.assertFalse(exposure_ledger.install(cr, *texts), "nothing changed: no rebuild")
        self.make_invoice(self.customer, 80.0)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.make_invoice(self.customer, 50.0).ids
        ).create({"amount": 20.0, "payment_difference_handling": "open"})._create_payments()
        self.env.flush_all()
        uninstall_hook(self.env)
        cr.execute(
            "SELECT count(*) FROM information_schema.columns"
            " WHERE table_name = 'account_partial_reconcile' AND column_name LIKE 'customer%'"
        )
        self.assertEqual(cr.fetchone()[0], 0, "the aging's column on Odoo's matches is gone")
        cr.execute(
            r"SELECT count(*) FROM pg_indexes WHERE indexname LIKE '%credit\_aging%'"
            " AND tablename IN ('account_move_line', 'account_partial_reconcile')"
        )
        self.assertEqual(cr.fetchone()[0], 0, "the aging's indexes on Odoo's tables are gone")
        cr.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'customer\\_credit\\_%'"
            " AND NOT tgisinternal"
        )
        self.assertEqual(cr.fetchone()[0], 0)
        cr.execute("SELECT count(*) FROM pg_proc WHERE proname LIKE 'customer\\_credit\\_%'")
        self.assertEqual(cr.fetchone()[0], 0)
        for table in ("item", "order", "total"):
            cr.execute(SQL("SELECT to_regclass(%s)", f"customer_credit_exposure_{table}"))
            self.assertIsNone(cr.fetchone()[0], table)
        # installing again builds the tables from the documents
        self.make_invoice(self.customer, 120.0)
        self.env.flush_all()
        self.assertTrue(exposure_ledger.install(cr, *texts))
        self.assertEqual(sorted(self._items(self.customer)), [("d", 30), ("d", 80), ("d", 120)])
        # and the aging's column comes back, the matches' first dates filled again
        self.env["customer.credit.aging.item"].init()
        cr.execute(f"SELECT count(*), count({MATCH_FIRST_DATE}) FROM account_partial_reconcile")
        count, dated = cr.fetchone()
        self.assertTrue(count)
        self.assertEqual(dated, count)

    def test_over_limit_searches_read_the_totals(self):
        self.customer.sudo().credit_limit = 500.0
        invoice = self.make_invoice(self.contact, 400.0)
        self.make_order(self.customer, 200.0)
        over = self.env["res.partner"].search([("credit_over_limit", "=", True)])
        self.assertIn(self.customer, over)
        self.assertIn(self.contact, over)
        self.pay(invoice, amount=150.0)  # 450: under the limit again
        over = self.env["res.partner"].search([("credit_over_limit", "=", True)])
        self.assertNotIn(self.customer, over)
