from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import tagged

from .common_monitoring import CreditMonitoringCase


@tagged("post_install", "-at_install")
class TestCollectionCase(CreditMonitoringCase):
    def _case(self, invoices):
        return self.env["customer.credit.collection.case"].create(
            {
                "partner_id": self.customer.id,
                "invoice_ids": [(6, 0, invoices.ids)],
                "user_id": self.manager.id,
            }
        )

    def test_case_amounts_stages_and_contacts(self):
        with freeze_time("2025-04-01"):
            inv1 = self._invoice(self.customer, 400.0, self.d("2025-01-15"))
            inv2 = self._invoice(self.customer, 600.0, self.d("2025-02-15"))
            case = self._case(inv1 | inv2)
            self.assertTrue(case.name.startswith("COL/"))
            self.assertEqual(case.amount_residual, 1000.0)
            self.assertEqual(case.amount_opening, 1000.0)
            self.assertEqual(case.invoice_count, 2)
            stages = self.env["customer.credit.collection.stage"].search([])
            self.assertEqual(
                stages.mapped("name"),
                [
                    "Reminder",
                    "Negotiation",
                    "Promise to Pay",
                    "Legal",
                    "Write-off Proposed",
                    "Closed",
                ],
            )
            with Form(case) as form:
                with form.contact_ids.new() as contact:
                    contact.channel = "phone"
                    contact.summary = "Spoke with the CFO, cash expected next week."
            self.assertEqual(case.contact_ids.user_id, self.env.user)
            self.assertEqual(case.contact_count, 1)
            # Partial payment lowers the amount due; the case stays open.
            self._pay(inv1, self.d("2025-04-01"))
            self.assertEqual(case.amount_residual, 600.0)
            self.assertFalse(case.is_closed)
            self.assertEqual(
                self.customer.with_company(self.company).credit_collection_case_count, 1
            )

    def test_case_refuses_other_customers_invoices(self):
        other = self._customer("Someone Else")
        with freeze_time("2025-04-01"):
            foreign = self._invoice(other, 100.0, self.d("2025-03-01"))
            with self.assertRaisesRegex(ValidationError, "not invoices of"):
                self._case(foreign)

    def test_promise_kept(self):
        with freeze_time("2025-04-01"):
            invoice = self._invoice(self.customer, 1000.0, self.d("2025-01-15"))
            case = self._case(invoice)
            case.write({"promise_date": self.d("2025-04-15"), "promise_amount": 400.0})
            self.assertEqual(case.promise_state, "pending")
            self.assertEqual(case.promise_residual_start, 1000.0)
            self.assertEqual(
                case.stage_id, self.env.ref("customer_credit.collection_stage_promise")
            )
            activity = case.activity_ids.filtered(
                lambda act: (
                    act.activity_type_id
                    == self.env.ref("customer_credit.mail_activity_type_credit_promise")
                )
            )
            self.assertEqual(activity.date_deadline, self.d("2025-04-15"))
            self.assertEqual(activity.user_id, self.manager)
        with freeze_time("2025-04-10"):
            self._pay(invoice, self.d("2025-04-10"), amount=400.0)
            self._run()
            self.assertEqual(case.promise_state, "kept")
            self.assertFalse(case.is_closed)
            self.assertFalse(
                case.activity_ids.filtered(
                    lambda act: (
                        act.activity_type_id
                        == self.env.ref("customer_credit.mail_activity_type_credit_promise")
                    )
                )
            )

    def test_promise_broken_is_detected_once(self):
        with freeze_time("2025-04-01"):
            invoice = self._invoice(self.customer, 1000.0, self.d("2025-01-15"))
            case = self._case(invoice)
            case.write({"promise_date": self.d("2025-04-15"), "promise_amount": 500.0})
        with freeze_time("2025-04-15"):
            self._pay(invoice, self.d("2025-04-15"), amount=100.0)
            self._run()
            self.assertEqual(case.promise_state, "pending", "Due today: not broken yet.")
        with freeze_time("2025-04-16"):
            self._run()
            self.assertEqual(case.promise_state, "broken")
            self.assertEqual(case.priority, "1")
            self.assertEqual(case.promise_paid, 100.0)
            self.assertIn("Broken promise", case.message_ids[0].body)
            escalations = case.activity_ids.filtered(
                lambda act: (
                    act.activity_type_id
                    == self.env.ref("customer_credit.mail_activity_type_credit_escalation")
                )
            )
            self.assertEqual(escalations.user_id, self.manager)
            self._run()
            self.assertEqual(
                len(
                    case.activity_ids.filtered(
                        lambda act: (
                            act.activity_type_id
                            == self.env.ref("customer_credit.mail_activity_type_credit_escalation")
                        )
                    )
                ),
                1,
                "A broken promise is reported once.",
            )

    def test_promise_needs_an_amount(self):
        with freeze_time("2025-04-01"):
            case = self._case(self._invoice(self.customer, 100.0, self.d("2025-03-01")))
            with self.assertRaisesRegex(ValidationError, "Enter the amount"):
                case.write({"promise_date": self.d("2025-04-20")})

    def test_case_closes_by_cron_when_paid(self):
        with freeze_time("2025-04-01"):
            inv1 = self._invoice(self.customer, 100.0, self.d("2025-03-01"))
            inv2 = self._invoice(self.customer, 200.0, self.d("2025-03-01"))
            case = self._case(inv1 | inv2)
            self._pay(inv1, self.d("2025-04-01"))
            self.assertFalse(case.is_closed)
            self._pay(inv2, self.d("2025-04-01"))
            self.assertTrue(case.is_closed)
            self.assertEqual(case.date_closed, self.d("2025-04-01"))
            # A case closed by hand after a payment the hook did not see is found by the run.
            case.action_reopen()
            self.assertFalse(case.is_closed)
            self._run()
            self.assertTrue(case.is_closed)
            self.assertEqual(case.close_reason, "paid")

    def test_l4_extends_the_open_case(self):
        with freeze_time("2025-05-01"):
            first = self._invoice(self.customer, 100.0, self.d("2025-02-15"))
            self._run()
            case = self.env["customer.credit.collection.case"].search(
                [("partner_id", "=", self.customer.id)]
            )
            self.assertEqual(case.invoice_ids, first)
        with freeze_time("2025-05-20"):
            second = self._invoice(self.customer, 50.0, self.d("2025-03-20"))
            self._run()
            cases = self.env["customer.credit.collection.case"].search(
                [("partner_id", "=", self.customer.id)]
            )
            self.assertEqual(cases, case)
            self.assertEqual(case.invoice_ids, first | second)
            self.assertEqual(case.amount_residual, 150.0)

    def test_batch_creation_numbers_each_company_from_its_sequence(self):
        """Cases created together are numbered in order, each from its company's
        sequence (the company's own before the shared one), and start at the first
        open stage unless a stage is given."""
        other_company = self.env["res.company"].create({"name": "Branch Numbers"})
        self.env["ir.sequence"].create(
            {
                "name": "Branch cases",
                "code": "customer.credit.collection.case",
                "prefix": "BR/",
                "padding": 3,
                "company_id": other_company.id,
            }
        )
        negotiation = self.env["customer.credit.collection.stage"].search(
            [("name", "=", "Negotiation")]
        )
        Case = self.env["customer.credit.collection.case"]
        cases = Case.create(
            [
                {"partner_id": self.customer.id},
                {"partner_id": self.customer.id, "company_id": other_company.id},
                {"partner_id": self.customer.id, "stage_id": negotiation.id},
                {"partner_id": self.customer.id, "company_id": other_company.id},
                {"partner_id": self.customer.id, "name": "MY-OWN"},
            ]
        )
        names = cases.mapped("name")
        self.assertEqual([names[1], names[3]], ["BR/001", "BR/002"])
        first, second = (int(name.rsplit("/", 1)[1]) for name in (names[0], names[2]))
        self.assertTrue(names[0].startswith("COL/"))
        self.assertEqual(second, first + 1)
        self.assertEqual(names[4], "MY-OWN")
        first_stage = Case._default_stage()
        self.assertEqual(
            cases.mapped("stage_id"), first_stage | negotiation, "Given stage kept, else first."
        )
        self.assertEqual(cases[2].stage_id, negotiation)
        self.assertEqual((cases - cases[2]).stage_id, first_stage)
        # a company without its own sequence shares the default one: numbers follow
        # the order of creation across companies
        shared_company = self.env["res.company"].create({"name": "Branch Shared"})
        shared = Case.create(
            [
                {"partner_id": self.customer.id},
                {"partner_id": self.customer.id, "company_id": shared_company.id},
                {"partner_id": self.customer.id},
            ]
        )
        numbers = [int(name.rsplit("/", 1)[1]) for name in shared.mapped("name")]
        self.assertEqual(numbers, [second + 1, second + 2, second + 3])
        # the context's default stage, then a user default, win over the first stage
        in_context = Case.with_context(default_stage_id=negotiation.id).create(
            [{"partner_id": self.customer.id}]
        )
        self.assertEqual(in_context.stage_id, negotiation)
        legal = self.env["customer.credit.collection.stage"].search([("name", "=", "Legal")])
        self.env["ir.default"].set("customer.credit.collection.case", "stage_id", legal.id)
        self.assertEqual(Case.create([{"partner_id": self.customer.id}]).stage_id, legal)

    def test_cases_are_company_bound(self):
        other_company = self.env["res.company"].create({"name": "Branch Two"})
        case_b = self.env["customer.credit.collection.case"].create(
            {"partner_id": self.customer.id, "company_id": other_company.id}
        )
        Case = self.env["customer.credit.collection.case"].with_user(self.salesman)
        self.assertFalse(Case.search([("id", "=", case_b.id)]))
        with self.assertRaises(AccessError):
            Case.browse(case_b.id).read(["name"])
        # A salesperson (credit user) reads and logs contacts but cannot delete cases.
        mine = self.env["customer.credit.collection.case"].create({"partner_id": self.customer.id})
        mine.with_user(self.salesman).write(
            {"contact_ids": [(0, 0, {"channel": "email", "summary": "Sent statement"})]}
        )
        with self.assertRaises(AccessError):
            mine.with_user(self.salesman).unlink()
        with self.assertRaises(AccessError):
            self.env["customer.credit.collection.stage"].with_user(self.salesman).create(
                {"name": "Mine"}
            )
