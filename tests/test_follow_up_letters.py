import base64
import io

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_monitoring import CreditMonitoringCase


@tagged("post_install", "-at_install")
class TestFollowUpLetters(CreditMonitoringCase):
    """Issue 13 part 2: follow-up messages that carry their documents, courtesy
    reminders before the due date, the invoicing contact, letters to print."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Letter = cls.env["customer.credit.letter"]

    def _letters(self, partner):
        return self.Letter.search([("partner_id", "=", partner.id)])

    def _courtesy_level(self, **values):
        return self.env["customer.credit.escalation.level"].create(
            {
                "code": "L0",
                "name": "Courtesy",
                "days": -5,
                "company_id": self.company.id,
                "action_email_customer": True,
                "mail_template_id": self.env.ref(
                    "customer_credit.mail_template_credit_courtesy"
                ).id,
                **values,
            }
        )

    def test_courtesy_reminder_before_the_due_date(self):
        courtesy = self._courtesy_level()
        with freeze_time("2025-03-01"):
            late = self._invoice(self.customer, 50.0, self.d("2025-02-20"))
            soon = self._invoice(self.customer, 300.0, self.d("2025-03-10"))
        with freeze_time("2025-03-04"):
            self._run()
            logs = self._logs(self.customer)
            self.assertEqual(logs.move_id, late, "6 days before the due date: not yet.")
            self.assertNotIn(courtesy, logs.level_id, "An overdue invoice gets no courtesy.")
            self._mails(self.customer).unlink()
        with freeze_time("2025-03-05"):
            self._run()
            log = self._logs(self.customer).filtered(lambda g: g.move_id == soon)
            self.assertEqual(log.level_id, courtesy)
            self.assertEqual(log.days_overdue, -5)
            mail = self._mails(self.customer)
            self.assertEqual(len(mail), 1)
            self.assertIn("falling due soon", mail.subject)
            self.assertIn(soon.name, mail.body_html)
            self.assertNotIn(late.name, mail.body_html, "It lists the invoices falling due.")
            self.assertFalse(self._state(self.customer).credit_warning)
        with freeze_time("2025-03-11"):
            self._run()
            log = self._logs(self.customer).filtered(lambda g: g.move_id == soon)
            self.assertEqual(log.level_id, courtesy | self.l1)

    def test_recipient_is_the_invoicing_contact(self):
        contact = self.env["res.partner"].create(
            {
                "name": "Accounts Payable",
                "parent_id": self.customer.id,
                "type": "invoice",
                "email": "ap-team@example.com",
            }
        )
        self.env["res.partner"].create(
            {"name": "Buyer", "parent_id": self.customer.id, "email": "buyer@example.com"}
        )
        with freeze_time("2025-04-02"):
            self._invoice(self.customer, 100.0, self.d("2025-04-01"))
            self._run()
        mail = self._mails(self.customer)
        self.assertEqual(mail.recipient_ids, contact)
        self.assertIn("ap-team@example.com", self._logs(self.customer).result)
        # an invoicing contact without an email: the customer itself
        contact.email = False
        self.assertEqual(self.customer._credit_followup_recipient(), self.customer)

    def test_no_email_gets_a_letter_and_an_activity(self):
        customer = self._customer("Paper Only Ltd", email=False)
        with freeze_time("2025-04-02"):
            invoice = self._invoice(customer, 100.0, self.d("2025-04-01"))
            self._run()
        self.assertFalse(self._mails(customer))
        letter = self._letters(customer)
        self.assertEqual(letter.reason, "no_email")
        self.assertEqual(letter.state, "to_print")
        self.assertEqual(letter.move_ids, invoice)
        self.assertEqual(letter.address_id, customer)
        self.assertEqual(letter.level_id, self.l1)
        log = self._logs(customer)
        self.assertEqual(log.letter_id, letter)
        self.assertFalse(log.email_sent)
        self.assertIn("No email address", log.result)
        activities = self._activities(customer)
        self.assertIn(self.manager, activities.user_id, "The credit manager posts the letter.")
        self.assertTrue(any("print and post" in (a.summary or "") for a in activities))

    def test_level_attaches_the_statement_and_the_invoices(self):
        self.l1.write({"attach_invoices": True, "attach_statement": True})
        with freeze_time("2025-04-02"):
            first = self._invoice(self.customer, 100.0, self.d("2025-04-01"))
            second = self._invoice(self.customer, 200.0, self.d("2025-03-31"))
            self._run()
        mail = self._mails(self.customer)
        names = mail.attachment_ids.mapped("name")
        self.assertEqual(len(names), 3, names)
        for invoice in first | second:
            self.assertIn(invoice._get_invoice_report_filename(), names)
        statement_name, _content = self.customer._credit_statement_pdf(
            self.d("2024-04-02"), self.d("2025-04-02")
        )
        self.assertIn(statement_name, names)
        # a level without documents attaches nothing
        self.assertFalse(self.l2.attach_invoices or self.l2.attach_statement)

    def test_letter_channel_and_the_print_of_the_day(self):
        self.l1.write({"channel": "both", "attach_invoices": True})
        other = self._customer("Letters Only Ltd", email="letters@example.com")
        with freeze_time("2025-04-02"):
            invoice = self._invoice(self.customer, 100.0, self.d("2025-04-01"))
            self._invoice(other, 70.0, self.d("2025-04-01"))
            self._run()
            self.assertEqual(len(self._mails(self.customer)), 1, "Email and letter.")
            letter = self._letters(self.customer)
            self.assertEqual(letter.reason, "letter")
            self.assertTrue(letter.attach_invoices)
            self.assertEqual(letter.move_ids, invoice)
            Letter = self.Letter.with_user(self.salesman)
            with self.assertRaises(AccessError):
                Letter.action_print_letters_of_the_day()
            # wkhtmltopdf must not ask this server for the report's stylesheets: with the
            # clock frozen in this process its HTTP thread would never answer
            self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
            action = (
                self.Letter.with_user(self.manager)
                .with_context(force_report_rendering=True)
                .action_print_letters_of_the_day()
            )
        letters = self._letters(self.customer) | self._letters(other)
        self.assertEqual(letters.mapped("state"), ["printed", "printed"])
        self.assertEqual(letters.printed_by_id, self.manager)
        attachment = letters.batch_attachment_id
        self.assertEqual(len(attachment), 1, "One PDF for the day.")
        self.assertIn(f"/web/content/{attachment.id}", action["url"])
        pdf = base64.b64decode(attachment.datas)
        self.assertTrue(pdf.startswith(b"%PDF"))
        from PyPDF2 import PdfReader

        reader = PdfReader(io.BytesIO(pdf))
        text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
        self.assertIn("Payment reminder", text)
        self.assertIn(invoice.name, text)
        self.assertGreaterEqual(len(reader.pages), 3, "Two letters and one invoice copy.")
        with freeze_time("2025-04-02"), self.assertRaisesRegex(UserError, "No letter to print"):
            self.Letter.with_user(self.manager).action_print_letters_of_the_day()

    def test_letter_channel_only_and_partner_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["customer_credit"], ["zh_CN"])
        self.l1.channel = "letter"
        customer = self._customer("上海恒信贸易有限公司", email="cn@example.com")
        customer.lang = "zh_CN"
        with freeze_time("2025-04-02"):
            self._invoice(customer, 100.0, self.d("2025-04-01"))
            self._run()
        self.assertFalse(self._mails(customer), "The level writes by letter only.")
        letter = self._letters(customer)
        self.assertEqual(letter.reason, "letter")
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "customer_credit.action_report_credit_letter", letter.ids
        )
        self.assertIn("付款提醒", html.decode())
