import logging
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError
from odoo.tests import BaseCase
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.mail_template import _memoized
from ..tools.monitoring_rules import LevelSpec
from ..tools.monitoring_rules import plan_partner_actions
from .common_monitoring import CreditMonitoringCase
from .common_monitoring import SimulatedCrash


@tagged("post_install", "-at_install")
class TestMemoizedHelpers(BaseCase):
    def test_same_arguments_computed_once(self):
        calls = []

        def fmt(value, pattern=False):
            calls.append((value, pattern))
            return f"{value}:{pattern}"

        memo = _memoized(fmt)
        self.assertEqual(memo(1.5), "1.5:False")
        self.assertEqual(memo(1.5), "1.5:False")
        self.assertEqual(memo(1.5, pattern="x"), "1.5:x")
        self.assertEqual(memo(1.5, pattern="x"), "1.5:x")
        self.assertEqual(memo(2), "2:False")
        self.assertEqual(calls, [(1.5, False), (1.5, "x"), (2, False)])
        # equal but different arguments are told apart
        self.assertEqual(memo(2.0), "2.0:False")
        utc = datetime(2025, 1, 1, 23, 0, tzinfo=timezone.utc)
        self.assertEqual(memo(utc), f"{utc}:False")
        shanghai = utc.astimezone(timezone(timedelta(hours=8)))
        self.assertEqual(memo(shanghai), f"{shanghai}:False")
        self.assertEqual(len(calls), 6)
        # unhashable arguments are passed through, never remembered
        self.assertEqual(memo([1]), "[1]:False")
        self.assertEqual(memo([1]), "[1]:False")
        self.assertEqual(len(calls), 8)


@tagged("post_install", "-at_install")
class TestEscalationTimeline(CreditMonitoringCase):
    def _assert_email_as_odoo_wraps(self, mail, customer, invoice):
        """The reminder is wrapped in Odoo's light layout exactly as Odoo wraps it, and
        the chatter keeps the reminder alone (the layout is never sanitised)."""
        savepoint = self.env.cr.savepoint()
        odoo_mail = self.l1.mail_template_id.send_mail_batch(
            customer.ids, email_layout_xmlid="mail.mail_notification_light"
        )
        self.assertEqual(mail.body_html, odoo_mail.body_html)
        for name in (
            "subject",
            "email_from",
            "reply_to",
            "email_to",
            "email_cc",
            "model",
            "res_id",
            "record_name",
            "author_id",
            "message_type",
            "is_notification",
            "auto_delete",
            "mail_server_id",
            "partner_ids",
            "state",
        ):
            self.assertEqual(mail[name], odoo_mail[name], name)
        savepoint.close(rollback=True)
        self.assertIn(mail.mail_message_id, customer.message_ids)
        self.assertIn("Powered by", mail.body_html)
        self.assertNotIn("Powered by", mail.mail_message_id.body)
        self.assertIn(invoice.name, mail.mail_message_id.body)

    def test_90_day_timeline(self):
        """Levels fire in order, hold at L3, case at L4; payment closes the case and
        releases the automatic hold."""
        customer = self.customer
        with freeze_time("2025-01-10"):
            invoice = self._invoice(customer, 1000.0, self.d("2025-01-10"), self.d("2024-12-11"))
            self._run()
            self.assertFalse(self._logs(customer), "Not overdue on its due date.")

        with freeze_time("2025-01-11"):
            self._run()
            logs = self._logs(customer)
            self.assertEqual(logs.level_id, self.l1)
            self.assertTrue(logs.email_sent)
            mails = self._mails(customer)
            self.assertEqual(len(mails), 1)
            self.assertIn(invoice.name, mails.body_html)
            self.assertIn(customer, mails.recipient_ids)
            self._assert_email_as_odoo_wraps(mails, customer, invoice)
            activities = self._activities(customer)
            self.assertEqual(activities.user_id, self.salesman)
            self.assertIn(invoice.name, activities.note)
            self.assertIn("Overdue escalation", customer.message_ids[0].body)
            # Same day again: nothing new.
            self._run()
            self.assertEqual(len(self._logs(customer)), 1)
            self.assertEqual(len(self._mails(customer)), 1)
            self.assertEqual(len(self._activities(customer)), 1)

        with freeze_time("2025-01-25"):
            self._run()
            self.assertEqual(self._logs(customer).level_id, self.l1 | self.l2)
            manager_activity = self._activities(customer).filtered(
                lambda act: act.user_id == self.manager
            )
            self.assertEqual(len(manager_activity), 1)
            self.assertTrue(self._state(customer).credit_warning)
            self.assertFalse(self._state(customer).credit_hold)
            self.assertEqual(len(self._mails(customer)), 1, "L2 sends no email by default.")

        with freeze_time("2025-02-09"):
            self._run()
            state = self._state(customer)
            self.assertTrue(state.credit_hold)
            self.assertTrue(state.credit_hold_auto)
            self.assertIn("30 days", state.credit_hold_reason)
            self.assertFalse(
                self.env["customer.credit.collection.case"].search(
                    [("partner_id", "=", customer.id)]
                )
            )

        with freeze_time("2025-03-11"):
            self._run()
            logs = self._logs(customer)
            self.assertEqual(logs.mapped("level_id.code"), ["L1", "L2", "L3", "L4"])
            self.assertEqual(logs.mapped("days_overdue"), [1, 15, 30, 60])
            case = self.env["customer.credit.collection.case"].search(
                [("partner_id", "=", customer.id)]
            )
            self.assertEqual(len(case), 1)
            self.assertEqual(case.invoice_ids, invoice)
            self.assertEqual(case.amount_residual, 1000.0)
            self.assertEqual(
                case.stage_id, self.env.ref("customer_credit.collection_stage_reminder")
            )
            self.assertEqual(logs[-1].case_id, case)
            self.assertEqual(case.user_id, self.manager)
            self.assertEqual(case.amount_opening, 1000.0)
            self.assertIn(
                self.manager.partner_id,
                case.message_partner_ids,
                "The responsible follows the case the run opened.",
            )

        with freeze_time("2025-03-20"):
            self._pay(invoice, self.d("2025-03-20"))
            self.assertTrue(case.is_closed, "Paying the invoices closes the case at once.")
            self.assertEqual(case.close_reason, "paid")
            self._run()
            state = self._state(customer)
            self.assertFalse(state.credit_hold)
            self.assertFalse(state.credit_hold_auto)
            self.assertFalse(state.credit_warning)
            self.assertTrue(
                any(
                    "automatic credit hold is released" in body
                    for body in customer.message_ids.mapped("body")
                )
            )

        with freeze_time("2025-04-10"):
            self._run()
            self.assertEqual(len(self._logs(customer)), 4, "A paid invoice escalates no more.")

    def test_levels_reached_at_once_act_once(self):
        """A ledger imported 45 days late: one email, one activity per person, the hold,
        and the lower levels recorded as skipped."""
        with freeze_time("2025-05-15"):
            self._invoice(self.customer, 500.0, self.d("2025-03-31"))
            self._invoice(self.customer, 700.0, self.d("2025-05-01"))
            self._run()
            logs = self._logs(self.customer)
            self.assertEqual(len(logs), 3 + 1, "45 days: L1, L2, L3; 14 days: L1.")
            self.assertEqual(len(logs.filtered("skipped")), 2)
            self.assertEqual(len(self._mails(self.customer)), 1)
            self.assertEqual(
                sorted(self._activities(self.customer).user_id.ids),
                sorted((self.salesman | self.manager).ids),
            )
            self.assertTrue(self._state(self.customer).credit_hold_auto)

    def test_crash_and_resume(self):
        """A run killed after its first batch resumes without duplicating anything."""
        other = self._customer("Second Ltd", email="second@example.com")
        with freeze_time("2025-06-20"):
            self._invoice(self.customer, 100.0, self.d("2025-06-01"))
            self._invoice(other, 200.0, self.d("2025-06-01"))
            monitor_class = type(self.monitor)
            original = monitor_class._escalation_act
            calls = []

            def crashing_act(model, batch, levels, today):
                calls.append(batch)
                original(model, batch, levels, today)
                if len(calls) == 2:
                    raise SimulatedCrash()

            self.patch(monitor_class, "_escalation_act", crashing_act)
            # Not assertRaises: it would roll the whole run back in a savepoint.
            crashed = False
            try:
                self._run(batch_size=1)
            except SimulatedCrash:
                crashed = True
            self.assertTrue(crashed)
            self.env.invalidate_all()
            first_pid = calls[0][0][0]
            first, second = (
                (self.customer, other) if first_pid == self.customer.id else (other, self.customer)
            )
            self.assertEqual(len(self._logs(first)), 2, "First batch is kept (L1 and L2).")
            self.assertEqual(len(self._mails(first)), 1)
            self.assertFalse(self._logs(second), "The batch that crashed left nothing.")
            self.assertFalse(self._mails(second))
            self.assertFalse(self._activities(second))

            self.patch(monitor_class, "_escalation_act", original)
            self._run(batch_size=1)
            for partner in (first, second):
                self.assertEqual(len(self._logs(partner)), 2)
                self.assertEqual(len(self._mails(partner)), 1)
                self.assertEqual(len(self._activities(partner)), 2)
                self.assertTrue(self._state(partner).credit_warning)

    def test_manual_hold_survives_payment(self):
        manual_reason = "Disputed delivery, hold until settled"
        self.customer.with_company(self.company).write(
            {"credit_hold": True, "credit_hold_reason": manual_reason}
        )
        with freeze_time("2025-03-05"):
            invoice = self._invoice(self.customer, 300.0, self.d("2025-02-01"))
            self._run()
            state = self._state(self.customer)
            self.assertTrue(state.credit_hold)
            self.assertFalse(state.credit_hold_auto)
            self.assertEqual(state.credit_hold_reason, manual_reason)
            self.assertFalse(self._logs(self.customer).filtered("hold_set"))
            self._pay(invoice, self.d("2025-03-05"))
            self._run()
            state = self._state(self.customer)
            self.assertTrue(state.credit_hold, "A manual hold is never released by the run.")
            self.assertEqual(state.credit_hold_reason, manual_reason)
            self.assertFalse(state.credit_warning, "The automatic warning is lifted.")

    def test_hold_taken_over_by_hand_is_not_released(self):
        with freeze_time("2025-03-05"):
            invoice = self._invoice(self.customer, 300.0, self.d("2025-02-01"))
            self._run()
            self.assertTrue(self._state(self.customer).credit_hold_auto)
            # The credit manager confirms the hold by hand: it becomes a manual decision.
            self.customer.with_company(self.company).with_user(self.manager).write(
                {"credit_hold": True, "credit_hold_reason": "Confirmed by Carl"}
            )
            self.assertFalse(self._state(self.customer).credit_hold_auto)
            self._pay(invoice, self.d("2025-03-05"))
            self._run()
            self.assertTrue(self._state(self.customer).credit_hold)

    def test_customer_without_email_gets_activity_not_email(self):
        silent = self._customer("Silent Ltd", email=False)
        with freeze_time("2025-03-05"):
            self._invoice(silent, 300.0, self.d("2025-03-01"))
            self._run()
            self.assertFalse(self._mails(silent))
            # L1's follow-up for the salesperson, and the letter to post for the credit
            # manager (issue 13: never a silent skip; see TestFollowUpLetters)
            self.assertEqual(self._activities(silent).user_id, self.salesman | self.manager)
            self.assertIn("No email address", self._logs(silent).result)
            self.assertEqual(self._logs(silent).letter_id.reason, "no_email")

    def test_email_in_the_customers_language_as_odoo_wraps_it(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.customer.lang = "zh_CN"
        with freeze_time("2025-06-20"):
            invoice = self._invoice(self.customer, 100.0, self.d("2025-06-10"))
            self._run()
            mail = self._mails(self.customer)
            self.assertEqual(len(mail), 1)
            self._assert_email_as_odoo_wraps(mail, self.customer, invoice)

    def test_template_reports_attached_as_odoo_attaches_them(self):
        """A report added to a reminder template is rendered per customer and attached
        to the email and its message, as Odoo's ``send_mail_batch`` does."""
        template = self.l1.mail_template_id
        template.report_template_ids = self.env.ref(
            "customer_credit.action_report_customer_statement"
        )
        with freeze_time("2025-06-20"):
            self._invoice(self.customer, 100.0, self.d("2025-06-10"))
            self._run()
            mail = self._mails(self.customer)
            self.assertEqual(len(mail), 1)
            self.assertEqual(len(mail.attachment_ids), 1)
            self.assertEqual(mail.attachment_ids.res_model, "mail.message")
            self.assertEqual(mail.attachment_ids.res_id, mail.mail_message_id.id)
            odoo_mail = template.send_mail_batch(self.customer.ids)
            self.assertEqual(mail.attachment_ids.name, odoo_mail.attachment_ids.name)
            self.assertEqual(mail.attachment_ids.mimetype, odoo_mail.attachment_ids.mimetype)

    def test_batch_emails_match_odoo_rendering(self):
        """Reminders of a batch are rendered from one compiled body: each customer's
        email is exactly what Odoo renders for it alone, listing its own invoices."""
        other = self._customer("Second Ltd", email="second@example.com")
        with freeze_time("2025-06-20"):
            mine = self._invoice(self.customer, 100.0, self.d("2025-06-10"))
            theirs = self._invoice(other, 250.0, self.d("2025-06-05"))
            theirs_too = self._invoice(other, 75.0, self.d("2025-06-12"))
            # same amount and due date in both bodies: remembered by the batch
            mine_too = self._invoice(self.customer, 75.0, self.d("2025-06-12"))
            self._run()
            template = self.l1.mail_template_id.sudo()  # as the cron renders it
            customers = self.customer | other
            expected = template._render_field("body_html", customers.ids)
            batched = template.with_context(credit_qweb_compile_once=True)._render_field(
                "body_html", customers.ids
            )
            self.assertEqual(batched, expected)
            # The compiled-once path itself (no silent fallback to Odoo's rendering).
            self.assertEqual(
                template._credit_render_compiled_once(
                    template.body_html, "res.partner", customers.ids, None, None
                ),
                template._render_template_qweb(template.body_html, "res.partner", customers.ids),
            )
            # Falling back to Odoo's rendering gives the same bodies, and says so in the log.
            with (
                patch.object(
                    type(template), "_credit_render_compiled_once", side_effect=ValueError("x")
                ),
                self.assertLogs(
                    "odoo.addons.customer_credit.models.mail_template", logging.INFO
                ) as logs,
            ):
                fallback = template.with_context(credit_qweb_compile_once=True)._render_field(
                    "body_html", customers.ids
                )
            self.assertEqual(fallback, expected)
            self.assertIn("compile-once rendering failed (ValueError: x)", logs.output[0])
            mail = self._mails(self.customer)
            other_mail = self._mails(other)
            self.assertEqual((len(mail), len(other_mail)), (1, 1))
            self.assertIn(mine.name, mail.body_html)
            self.assertIn(mine_too.name, mail.body_html)
            self.assertNotIn(theirs.name, mail.body_html)
            self.assertIn(theirs.name, other_mail.body_html)
            self.assertIn(theirs_too.name, other_mail.body_html)
            self.assertIn(expected[other.id], other_mail.body_html)

    def test_run_limit_reports_remaining(self):
        other = self._customer("Second Ltd")
        with freeze_time("2025-06-20"):
            self._invoice(self.customer, 100.0, self.d("2025-06-10"))
            self._invoice(other, 100.0, self.d("2025-06-10"))
            self.assertEqual(self._run(batch_size=1, limit=1), 1)
            self.assertEqual(len(self._logs(self.customer) | self._logs(other)), 1)
            self._run(batch_size=1)
            self.assertEqual(len(self._logs(self.customer) | self._logs(other)), 2)


@tagged("post_install", "-at_install")
class TestEscalationLevels(CreditMonitoringCase):
    def test_defaults_for_new_company(self):
        company = self.env["res.company"].create({"name": "Credit Branch"})
        levels = self.env["customer.credit.escalation.level"].search(
            [("company_id", "=", company.id)], order="days"
        )
        self.assertEqual(levels.mapped("days"), [1, 15, 30, 60])
        self.assertEqual(levels.mapped("code"), ["L1", "L2", "L3", "L4"])
        self.assertTrue(levels[0].action_email_customer and levels[0].action_activity_salesperson)
        self.assertTrue(levels[1].action_activity_manager and levels[1].action_set_warning)
        self.assertTrue(levels[2].action_credit_hold)
        self.assertTrue(levels[3].action_collection_case)
        self.assertTrue(all(levels.mapped("mail_template_id")))
        main_levels = self.env.ref("customer_credit.escalation_level_l1").sudo().company_id
        self.assertEqual(main_levels, self.env.ref("base.main_company"))

    def test_negative_days_only_for_courtesy_actions(self):
        """A level may start before the due date (a courtesy reminder), but cannot then
        set a warning, a hold or a collection case."""
        Level = self.env["customer.credit.escalation.level"]
        courtesy = Level.create(
            {
                "code": "L0",
                "name": "Courtesy",
                "days": -5,
                "company_id": self.company.id,
                "action_email_customer": True,
            }
        )
        self.assertEqual(courtesy.days, -5)
        with self.assertRaisesRegex(ValidationError, "5 days before the due date"):
            Level.create(
                {
                    "code": "LX",
                    "name": "Bad",
                    "days": -5,
                    "company_id": self.company.id,
                    "action_credit_hold": True,
                }
            )

    def test_duplicate_days_refused(self):
        with self.assertRaisesRegex(ValidationError, "both start at 15 days"):
            self.env["customer.credit.escalation.level"].create(
                {"code": "LX", "name": "Twin", "days": 15, "company_id": self.company.id}
            )
        with self.assertRaisesRegex(ValidationError, "both start at 30 days"):
            self.l4.days = 30
        # The same days in another company are fine.
        other = self.env["res.company"].create({"name": "Other Co"})
        self.assertTrue(
            self.env["customer.credit.escalation.level"].search(
                [("company_id", "=", other.id), ("days", "=", 15)]
            )
        )

    def test_log_is_unique_per_invoice_and_level(self):
        with freeze_time("2025-03-05"):
            invoice = self._invoice(self.customer, 300.0, self.d("2025-03-01"))
            self._run()
        log = self._logs(self.customer)
        # As superuser, so that only the unique (invoice, level) key can refuse it.
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self.env["customer.credit.escalation.log"].sudo().create(
                {
                    "company_id": self.company.id,
                    "partner_id": self.customer.id,
                    "move_id": invoice.id,
                    "level_id": log.level_id.id,
                    "date": log.date,
                }
            )

    def test_only_credit_managers_change_monitoring_fields(self):
        with self.assertRaises(AccessError):
            self.customer.with_user(self.salesman).write({"credit_warning": True})
        with self.assertRaises(AccessError):
            self.env["customer.credit.escalation.level"].with_user(self.salesman).create(
                {"code": "L9", "name": "Mine", "days": 99, "company_id": self.company.id}
            )

    def test_plan_is_pure(self):
        specs = {
            1: LevelSpec(1, 1, True, True, False, False, False, False, 11),
            2: LevelSpec(2, 15, False, False, True, True, False, False, 12),
            3: LevelSpec(3, 30, True, False, False, False, True, False, 13),
            4: LevelSpec(4, 60, False, False, False, False, False, True, 14),
        }
        plan = plan_partner_actions(7, [(100, 1), (100, 2), (100, 3), (200, 1)], specs)
        self.assertEqual(plan.email_level_id, 3, "Most severe level with an email.")
        self.assertEqual(plan.salesperson_level_id, 1)
        self.assertEqual(plan.manager_level_id, 2)
        self.assertEqual(plan.hold_level_id, 3)
        self.assertFalse(plan.case_level_id)
        self.assertEqual(plan.top_level_by_move, {100: 3, 200: 1})
        plan = plan_partner_actions(7, [(100, 4), (200, 1)], specs)
        self.assertEqual(plan.case_move_ids, [100])
        self.assertEqual(plan.email_level_id, 1)
