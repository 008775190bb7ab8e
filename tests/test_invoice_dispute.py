from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_monitoring import CreditMonitoringCase


@tagged("post_install", "-at_install")
class TestInvoiceDispute(CreditMonitoringCase):
    """Issue 13 part 3: disputes take an invoice out of the chase, not out of the debt."""

    def _dispute(self, invoices, reason, user=None):
        wizard = (
            self.env["customer.credit.invoice.follow.up"]
            .with_user(user or self.manager)
            .create({"mode": "dispute", "move_ids": [Command.set(invoices.ids)], "reason": reason})
        )
        return wizard.action_confirm()

    def _expect(self, invoices, when, user=None):
        wizard = (
            self.env["customer.credit.invoice.follow.up"]
            .with_user(user or self.manager)
            .create(
                {
                    "mode": "expected",
                    "move_ids": [Command.set(invoices.ids)],
                    "expected_payment_date": when,
                    "note": "Phone call with AP",
                }
            )
        )
        return wizard.action_confirm()

    def _decisions(self, kind, move):
        return self.env["customer.credit.decision"].search(
            [("kind", "=", kind), ("res_model", "=", "account.move"), ("res_id", "=", move.id)]
        )

    def _aging_item(self, move, as_of):
        report = self.env["customer.credit.aging.report"].create(
            {"date_as_of": as_of, "company_ids": [Command.set(self.company.ids)]}
        )
        report._run_aging()
        report._ensure_items()
        return report.item_ids.filtered(lambda item: item.move_id == move)

    def test_dispute_leaves_escalation_and_hold_then_comes_back(self):
        customer = self.customer
        with freeze_time("2025-02-10"):
            invoice = self._invoice(customer, 1000.0, self.d("2025-01-10"))
            self._run()
            self.assertTrue(self._state(customer).credit_hold_auto, "35 days overdue: L3 hold.")
            self._dispute(invoice, "Goods damaged on delivery")
            self.assertTrue(invoice.credit_dispute)
            self.assertEqual(invoice.credit_dispute_reason, "Goods damaged on delivery")
            self.assertEqual(invoice.credit_dispute_user_id, self.manager)
            self.assertEqual(invoice.credit_dispute_date, self.d("2025-02-10"))
            state = self._state(customer)
            self.assertFalse(state.credit_hold, "The automatic hold leaves with the dispute.")
            self.assertFalse(state.credit_warning)
            decision = self._decisions("invoice_dispute_opened", invoice)
            self.assertEqual(decision.comment, "Goods damaged on delivery")
            self.assertEqual(decision.user_id, self.manager)
            self.assertEqual(decision.partner_id, customer)
            # Still owed: in the exposure and in the aging, flagged.
            self.assertEqual(state.credit_overdue, 1000.0)
            self.assertEqual(state.credit_exposure, 1000.0)
            item = self._aging_item(invoice, self.d("2025-02-10"))
            self.assertTrue(item.credit_dispute)
            self.assertEqual(item.amount_open, 1000.0)

        with freeze_time("2025-03-15"):
            self._run()
            self.assertEqual(
                self._logs(customer).level_id, self.l1 | self.l2 | self.l3, "No L4 in dispute."
            )
            self.assertFalse(
                self.env["customer.credit.collection.case"].search(
                    [("partner_id", "=", customer.id)]
                )
            )
            self.assertFalse(self._state(customer).credit_hold, "The run does not put it back.")
            invoice.with_user(self.manager).action_credit_dispute_lift()
            self.assertFalse(invoice.credit_dispute)
            self.assertFalse(invoice.credit_dispute_reason)
            state = self._state(customer)
            self.assertTrue(state.credit_hold, "Back where the escalation had it: on hold.")
            self.assertTrue(state.credit_hold_auto)
            self.assertTrue(state.credit_warning)
            lifted = self._decisions("invoice_dispute_lifted", invoice)
            self.assertEqual(lifted.comment, "Goods damaged on delivery")
            self._run()
            self.assertEqual(self._logs(customer)[-1].level_id, self.l4)
            case = self.env["customer.credit.collection.case"].search(
                [("partner_id", "=", customer.id)]
            )
            self.assertEqual(case.invoice_ids, invoice)
        self.assertFalse(self.env["customer.credit.decision"]._verify_chain(self.company))

    def test_disputed_invoice_not_in_reminders(self):
        with freeze_time("2025-04-05"):
            kept = self._invoice(self.customer, 100.0, self.d("2025-04-01"))
            disputed = self._invoice(self.customer, 200.0, self.d("2025-04-01"))
            self._dispute(disputed, "Wrong price")
            self._run()
            self.assertEqual(self._logs(self.customer).move_id, kept)
            body = self._mails(self.customer).body_html
            self.assertIn(kept.name, body)
            self.assertNotIn(disputed.name, body)

    def test_dispute_needs_a_reason_and_an_authorised_user(self):
        with freeze_time("2025-04-05"):
            invoice = self._invoice(self.customer, 100.0, self.d("2025-04-01"))
        with self.assertRaisesRegex(UserError, "reason of the dispute"):
            self._dispute(invoice, "   ")
        with self.assertRaises(AccessError):
            self._dispute(invoice, "Mine", user=self.salesman)
        with self.assertRaises(AccessError):
            invoice.with_user(self.salesman)._credit_dispute_open("Mine")
        for vals in (
            {"credit_dispute": True},
            {"credit_dispute_reason": "x"},
            {"credit_expected_payment_date": "2099-01-01"},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                invoice.with_user(self.manager).write(vals)
        with self.assertRaises(AccessError):
            self._expect(invoice, self.d("2099-01-01"), user=self.salesman)
        self.assertFalse(invoice.credit_dispute)
        self.assertFalse(invoice.credit_expected_payment_date)
        # an accountant (no credit group of their own) may
        accountant = self.env["res.users"].create(
            {
                "name": "Ann Accountant",
                "login": "cc_dispute_accountant",
                "groups_id": [Command.set(self.env.ref("account.group_account_invoice").ids)],
            }
        )
        self._dispute(invoice, "Wrong quantity", user=accountant)
        self.assertEqual(invoice.credit_dispute_user_id, accountant)
        with self.assertRaises(AccessError):
            invoice.with_user(self.salesman).action_credit_dispute_lift()
        self.assertTrue(invoice.credit_dispute)
        draft = invoice.copy()
        self.assertFalse(draft.credit_dispute, "A copy is not in dispute.")
        with self.assertRaisesRegex(UserError, "only posted customer invoices"):
            self._dispute(draft, "Not yet")

    def test_expected_payment_date_delays_the_next_step(self):
        with freeze_time("2025-05-02"):
            invoice = self._invoice(self.customer, 500.0, self.d("2025-05-01"))
            self._run()
            self.assertEqual(self._logs(self.customer).level_id, self.l1)
            self._expect(invoice, self.d("2025-05-25"))
            self.assertEqual(invoice.credit_expected_payment_date, self.d("2025-05-25"))
            decision = self._decisions("invoice_expected_payment", invoice)
            self.assertEqual(decision.comment, "Phone call with AP")
            self.assertEqual(decision.user_id, self.manager)
            item = self._aging_item(invoice, self.d("2025-05-02"))
            self.assertEqual(item.credit_expected_payment_date, self.d("2025-05-25"))
        with freeze_time("2025-05-20"):
            self._run()
            self.assertEqual(self._logs(self.customer).level_id, self.l1, "Waits for the date.")
            self.assertFalse(self._state(self.customer).credit_warning)
        with freeze_time("2025-05-25"):
            self._run()
            self.assertEqual(self._logs(self.customer).level_id, self.l1, "Due that day.")
        with freeze_time("2025-05-26"):
            self._run()
            self.assertEqual(self._logs(self.customer).level_id, self.l1 | self.l2)
            self.assertTrue(self._state(self.customer).credit_warning)

    def test_promise_to_pay_sets_the_expected_date(self):
        with freeze_time("2025-06-20"):
            invoice = self._invoice(self.customer, 800.0, self.d("2025-06-01"))
            case = self.env["customer.credit.collection.case"].create(
                {"partner_id": self.customer.id, "invoice_ids": [Command.set(invoice.ids)]}
            )
            case.write({"promise_date": "2025-07-10", "promise_amount": 800.0})
            self.assertEqual(invoice.credit_expected_payment_date, self.d("2025-07-10"))
            decision = self._decisions("invoice_expected_payment", invoice)
            self.assertFalse(decision, "The case is the source.")
            decision = self.env["customer.credit.decision"].search(
                [
                    ("kind", "=", "invoice_expected_payment"),
                    ("res_model", "=", case._name),
                    ("res_id", "=", case.id),
                ]
            )
            self.assertEqual(decision.new_value, "2025-07-10")
            self._run()
            self.assertFalse(self._logs(self.customer), "Promised: no step before the date.")
        with freeze_time("2025-07-11"):
            self._run()
            self.assertEqual(self._logs(self.customer).level_id, self.l1 | self.l2 | self.l3)

    def test_salesperson_promise_does_not_hold_the_escalation(self):
        """A salesperson records the promise on the case; only a credit manager or an
        accountant turns it into an expected payment date."""
        with freeze_time("2025-06-20"):
            invoice = self._invoice(self.customer, 800.0, self.d("2025-06-01"))
            case = self.env["customer.credit.collection.case"].create(
                {"partner_id": self.customer.id, "invoice_ids": [Command.set(invoice.ids)]}
            )
            case.with_user(self.salesman).write(
                {"promise_date": "2099-12-31", "promise_amount": 800.0}
            )
            self.assertEqual(case.promise_state, "pending", "The promise is recorded.")
            self.assertFalse(invoice.credit_expected_payment_date)
            self.assertIn("keeps chasing", case.message_ids[0].body)
            self._run()
            self.assertEqual(self._logs(self.customer).level_id, self.l1 | self.l2)
