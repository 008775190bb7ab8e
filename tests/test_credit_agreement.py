import io
import unicodedata
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import HttpCase
from odoo.tests import TransactionCase
from odoo.tests import tagged

from .common_credit_approval import CreditApprovalUsersMixin

EXPIRY_ACTIVITY = "customer_credit.mail_activity_type_credit_agreement_expiry"


class CreditAgreementCommon(CreditApprovalUsersMixin):
    @classmethod
    def _setup_agreement_data(cls):
        cls._setup_credit_users()
        cls.company = cls.env.company
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.cny, cls.usd, cls.eur = (
            cls.env.ref("base.CNY"),
            cls.env.ref("base.USD"),
            cls.env.ref("base.EUR"),
        )
        (cls.cny | cls.usd | cls.eur).active = True
        cls.customer = cls.env["res.partner"].create(
            {"name": "Agreed Trading", "is_company": True, "lang": "en_US"}
        )
        cls.customer_cn = cls.env["res.partner"].create(
            {"name": "上海恒信贸易有限公司", "is_company": True, "lang": "zh_CN"}
        )

    def _agreement(self, partner=None, **vals):
        return (
            self.env["customer.credit.agreement"]
            .with_user(self.manager_1)
            .create(
                dict(
                    {
                        "partner_id": (partner or self.customer).id,
                        "credit_limit": 12345.67,
                        "date_start": date(2025, 1, 1),
                        "date_end": date(2025, 12, 31),
                        "grace_days": 10,
                        "interest_rate_annual": 4.35,
                        "late_penalty_rate_daily": 0.05,
                        "collateral_type": "guarantee",
                        "collateral_value": 50000,
                        "collateral_description": "Parent company guarantee",
                        "customer_signatory_name": "Jane Roe",
                        "customer_signatory_title": "CFO",
                        "company_signatory_title": "Credit Manager",
                    },
                    **vals,
                )
            )
        )


@tagged("post_install", "-at_install")
class TestCreditAgreement(TransactionCase, CreditAgreementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_agreement_data()

    def _limit(self, partner=None):
        partner = partner or self.customer
        partner.invalidate_recordset(["credit_limit"])
        return partner.with_company(self.company).credit_limit

    # ------------------------------------------------------------------ bad input

    def test_bad_input(self):
        with self.assertRaisesText(ValidationError, "before it starts"):
            self._agreement(date_end=date(2024, 12, 31))
        with self.assertRaisesText(
            ValidationError, "Annual Interest Rate .* between 0 % and 100 %"
        ):
            self._agreement(interest_rate_annual=-1)
        with self.assertRaisesText(ValidationError, "between 0 % and 100 %"):
            self._agreement(late_penalty_rate_daily=101)
        with self.assertRaisesText(ValidationError, "cannot be negative"):
            self._agreement(credit_limit=-5)
        self.assertFalse(
            self.env["customer.credit.agreement"].search([("partner_id", "=", self.customer.id)])
        )

    # ------------------------------------------------------------------ lifecycle

    @freeze_time("2025-02-01")
    def test_activate_sets_limit_and_one_active_only(self):
        agreement = self._agreement()
        self.assertTrue(agreement.name.startswith("CCA/2025/"))
        with self.assertRaises(AccessError):
            agreement.with_user(self.salesman).action_activate()
        agreement.with_user(self.manager_2).action_activate()
        self.assertEqual(agreement.state, "active")
        self.assertEqual(self._limit(), 12345.67)
        self.assertEqual(agreement.previous_limit, 0)
        self.assertIn("activated", agreement.message_ids[0].body)
        with self.assertRaises(UserError):
            agreement.with_user(self.manager_1).credit_limit = 1
        second = self._agreement(credit_limit=99_000)
        with self.assertRaisesText(ValidationError, "already has an active credit agreement"):
            second.with_user(self.manager_2).action_activate()
        self.assertEqual(second.state, "draft")
        self.assertEqual(self._limit(), 12345.67, "nothing half-written")
        # another company's agreement is another matter: terminate then activate
        action = agreement.with_user(self.manager_1).action_terminate()
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(self.manager_1)
            .with_context(**action["context"])
        )
        wizard.reason = "Replaced by a larger line"
        wizard.save().action_confirm()
        self.assertEqual(agreement.state, "terminated")
        self.assertEqual(agreement.termination_reason, "Replaced by a larger line")
        self.assertEqual(agreement.termination_date, date(2025, 2, 1))
        second.with_user(self.manager_2).action_activate()
        self.assertEqual(self._limit(), 99_000)
        self.assertEqual(self.customer.with_user(self.manager_1).credit_agreement_count, 2)

    @freeze_time("2026-01-15")
    def test_ended_agreement_cannot_be_activated(self):
        agreement = self._agreement()
        with self.assertRaisesText(UserError, "ended on"):
            agreement.with_user(self.manager_2).action_activate()

    def test_cron_expiry_and_notice(self):
        with freeze_time("2025-02-01"):
            agreement = self._agreement()
            agreement.with_user(self.manager_2).action_activate()
        Agreement = self.env["customer.credit.agreement"]
        activity_type = self.env.ref(EXPIRY_ACTIVITY)
        with freeze_time("2025-11-30"):
            Agreement._cron_expire_agreements()
            self.assertFalse(agreement.activity_ids, "more than 30 days before the end")
        with freeze_time("2025-12-01"):
            Agreement._cron_expire_agreements()
            activity = agreement.activity_ids
            self.assertEqual(activity.activity_type_id, activity_type)
            self.assertEqual(activity.user_id, self.manager_1)
            self.assertEqual(activity.date_deadline, date(2025, 12, 31))
            self.assertTrue(agreement.expiry_activity_scheduled)
        with freeze_time("2025-12-15"):
            Agreement._cron_expire_agreements()
            self.assertEqual(len(agreement.activity_ids), 1, "scheduled once")
        with freeze_time("2025-12-31"):
            Agreement._cron_expire_agreements()
            self.assertEqual(agreement.state, "active", "valid on its last day")
        with freeze_time("2026-01-01"):
            Agreement._cron_expire_agreements()
        self.assertEqual(agreement.state, "expired")
        self.assertFalse(agreement.activity_ids)
        # The state change is tracked in a message of its own, posted after the note.
        self.assertIn("expired", agreement.message_ids.filtered("body")[0].body)
        self.assertEqual(self._limit(), 12345.67)

    # ------------------------------------------------------------------ printing

    def test_amount_words(self):
        cny = self._agreement(currency_id=self.cny.id)
        usd = self._agreement(currency_id=self.usd.id)
        eur = self._agreement(currency_id=self.eur.id)
        self.assertEqual(cny._amount_in_words(12345.67, "zh_CN"), "壹万贰仟叁佰肆拾伍元陆角柒分")
        self.assertEqual(
            usd._amount_in_words(12345.67, "zh_CN"), "美元壹万贰仟叁佰肆拾伍元陆角柒分"
        )
        self.assertEqual(eur._amount_in_words(50000, "zh_CN"), "欧元伍万元整")
        self.assertEqual(
            cny._amount_in_words(12345.67, "en_US"),
            "Twelve Thousand, Three Hundred And Forty-Five Yuan and Sixty-Seven Fen",
        )
        self.assertEqual(
            usd._amount_in_words(12345.67, "en_US"),
            "Twelve Thousand, Three Hundred And Forty-Five Dollars and Sixty-Seven Cents",
        )
        self.assertEqual(eur._amount_in_words(50000, "en_US"), "Fifty Thousand Euros")
        # the customer's language by default
        cn_partner_usd = self._agreement(partner=self.customer_cn, currency_id=self.usd.id)
        self.assertEqual(cn_partner_usd._amount_in_words(1), "美元壹元整")
        jpy = self.env.ref("base.JPY")
        jpy.active = True
        self.assertEqual(
            self._agreement(currency_id=jpy.id)._amount_in_words(12345.67, "zh_CN"),
            "日元壹万贰仟叁佰肆拾陆元整",
            "the yen has no minor unit",
        )

    def test_report_html_english_and_chinese(self):
        report = self.env["ir.actions.report"]
        english = self._agreement()
        chinese = self._agreement(partner=self.customer_cn, currency_id=self.cny.id)
        html, _kind = report._render_qweb_html(
            "customer_credit.action_report_credit_agreement", english.ids
        )
        html = html.decode()
        self.assertIn(english.name, html)
        self.assertIn("Twelve Thousand", html)
        self.assertNotIn("壹万", html)
        for term in ("Jane Roe", "CFO", "4.35", "0.05", "Parent company guarantee", "Signature"):
            self.assertIn(term, html)
        self.assertIn("Fifty Thousand", html, "collateral value in words")
        html_cn, _kind = report._render_qweb_html(
            "customer_credit.action_report_credit_agreement", chinese.ids
        )
        html_cn = html_cn.decode()
        self.assertIn("上海恒信贸易有限公司", html_cn)
        self.assertIn("壹万贰仟叁佰肆拾伍元陆角柒分", html_cn)
        self.assertIn("伍万元整", html_cn)
        self.assertNotIn("Twelve Thousand", html_cn)


@tagged("post_install", "-at_install")
class TestCreditAgreementPdf(HttpCase, CreditAgreementCommon):
    """Real PDFs through wkhtmltopdf (the test server serves the report assets)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_agreement_data()
        # The customer's language as an installed language has it: with our zh_CN terms.
        cls.env["ir.module.module"]._load_module_terms(["customer_credit"], ["zh_CN"])

    def _pdf_text(self, agreement):
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("customer_credit.action_report_credit_agreement", agreement.ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"), "wkhtmltopdf produced a PDF")
        from PyPDF2 import PdfReader

        reader = PdfReader(io.BytesIO(pdf))
        return " ".join(" ".join(page.extract_text() for page in reader.pages).split())

    def _pdf_text_compact(self, agreement):
        """The PDF's text without spaces, NFKC-normalised (fullwidth （：） read as (:))."""
        # Noto CJK maps some glyphs to radicals in its ToUnicode table: 大 to the Kangxi
        # radical U+2F24 (NFKC gives 大 back), 角 to U+2EC6 (no NFKC mapping).
        text = "".join(self._pdf_text(agreement).split()).replace("\u2ec6", "角")
        return unicodedata.normalize("NFKC", text)

    def test_pdf_english_and_chinese(self):
        text = self._pdf_text(self._agreement())
        self.assertIn("Twelve Thousand", text)
        self.assertIn("Jane Roe", text)
        text_cn = self._pdf_text_compact(
            self._agreement(partner=self.customer_cn, currency_id=self.cny.id)
        )
        self.assertIn("壹万贰仟叁佰肆拾伍元陆角柒分", text_cn, "CJK glyphs embedded")

    def test_pdf_amounts_in_words_in_the_agreement_currency(self):
        """Chinese capitals name the agreement's currency, English words are Odoo's."""
        # (credit limit 12,345.67, collateral 50,000) in words, per currency
        chinese = {
            "CNY": ("(大写:壹万贰仟叁佰肆拾伍元陆角柒分)", "(大写:伍万元整)"),
            "USD": ("(大写:美元壹万贰仟叁佰肆拾伍元陆角柒分)", "(大写:美元伍万元整)"),
            "EUR": ("(大写:欧元壹万贰仟叁佰肆拾伍元陆角柒分)", "(大写:欧元伍万元整)"),
        }
        english = {
            "CNY": ("Forty-Five Yuan and Sixty-Seven Fen", "Fifty Thousand Yuan"),
            "USD": ("Forty-Five Dollars and Sixty-Seven Cents", "Fifty Thousand Dollars"),
            "EUR": ("Forty-Five Euros and Sixty-Seven Cents", "Fifty Thousand Euros"),
        }
        bare = "壹万贰仟叁佰肆拾伍元陆角柒分"
        for currency in (self.cny, self.usd, self.eur):
            with self.subTest(currency=currency.name, lang="zh_CN"):
                text = self._pdf_text_compact(
                    self._agreement(partner=self.customer_cn, currency_id=currency.id)
                )
                for words in chinese[currency.name]:
                    self.assertIn(words, text)
                self.assertNotIn("人民币", text)
                self.assertNotIn("Yuan", text)
                if currency == self.cny:
                    self.assertNotIn("美元", text)
                    self.assertNotIn("欧元", text)
                else:
                    self.assertNotIn(bare, text.replace(chinese[currency.name][0], ""))
            with self.subTest(currency=currency.name, lang="en_US"):
                text = self._pdf_text(self._agreement(currency_id=currency.id))
                for words in english[currency.name]:
                    self.assertIn(words, text)
                self.assertNotIn("壹", text)
