import random

import cn2an

from odoo.tests import BaseCase
from odoo.tests import tagged

from ..tools.amount_words import amount_in_words
from ..tools.amount_words import chinese_capitals
from ..tools.amount_words import currency_name_zh
from ..tools.amount_words import is_chinese


def english(amount):
    return f"EN {amount}"


@tagged("post_install", "-at_install")
class TestAmountWords(BaseCase):
    """Amounts in words (tools/amount_words.py), no database."""

    def test_dispatch_by_language(self):
        self.assertEqual(
            amount_in_words(12345.67, "zh_CN", english, "CNY"), "壹万贰仟叁佰肆拾伍元陆角柒分"
        )
        self.assertEqual(amount_in_words(12345, "zh_TW", english, "CNY"), "壹万贰仟叁佰肆拾伍元整")
        self.assertEqual(
            amount_in_words(12345.67, "zh_CN", english, "USD"),
            "美元壹万贰仟叁佰肆拾伍元陆角柒分",
        )
        self.assertEqual(amount_in_words(12345.67, "en_US", english, "USD"), "EN 12345.67")
        self.assertEqual(amount_in_words(12345.67, "en_US", english, "CNY"), "EN 12345.67")
        self.assertEqual(amount_in_words(1, False, english, "EUR"), "EN 1")
        self.assertTrue(is_chinese("zh_HK"))
        self.assertFalse(is_chinese("fr_FR"))

    def test_cny_as_before(self):
        """CNY reads as cn2an's RMB capitals always did: no currency name, 元/角/分, 整."""
        cases = {
            12345.67: "壹万贰仟叁佰肆拾伍元陆角柒分",
            50000: "伍万元整",
            0: "零元整",
            0.5: "伍角",
            0.05: "伍分",
            10.05: "壹拾元零伍分",
            20.3: "贰拾元叁角",
            100000.1: "壹拾万元壹角",
            1000000.01: "壹佰万元零壹分",
            100000000: "壹亿元整",
        }
        for amount, words in cases.items():
            with self.subTest(amount=amount):
                self.assertEqual(chinese_capitals(amount, "CNY"), words)
        rng = random.Random(11)
        for _i in range(2000):
            amount = rng.randint(0, 10 ** rng.randint(1, 12)) / 100
            self.assertEqual(
                chinese_capitals(amount, "CNY"),
                cn2an.an2cn(f"{amount:.2f}", "rmb"),
                f"{amount:.2f} reads as cn2an's rmb mode",
            )

    def test_foreign_currencies_are_named(self):
        self.assertEqual(chinese_capitals(12345.67, "USD"), "美元壹万贰仟叁佰肆拾伍元陆角柒分")
        self.assertEqual(chinese_capitals(50000, "USD"), "美元伍万元整")
        self.assertEqual(chinese_capitals(12345.67, "EUR"), "欧元壹万贰仟叁佰肆拾伍元陆角柒分")
        self.assertEqual(chinese_capitals(50000, "eur"), "欧元伍万元整")
        self.assertEqual(chinese_capitals(1000000.01, "HKD"), "港元壹佰万元零壹分")
        self.assertEqual(chinese_capitals(0.5, "GBP"), "英镑伍角")
        self.assertEqual(chinese_capitals(7, "CHF"), "瑞士法郎柒元整")
        for code in ("USD", "EUR", "GBP", "JPY", "HKD", "XYZ", "INR"):
            with self.subTest(code=code):
                words = chinese_capitals(12345.67, code)
                self.assertNotIn("人民币", words)
                self.assertFalse(words.startswith("壹"), "never a bare 元 that reads as RMB")
        self.assertEqual(currency_name_zh("CNY"), "")
        self.assertEqual(currency_name_zh("USD"), "美元")

    def test_currency_outside_the_table_gets_its_iso_code(self):
        self.assertEqual(chinese_capitals(12345.67, "INR"), "INR壹万贰仟叁佰肆拾伍元陆角柒分")
        self.assertEqual(chinese_capitals(3, "XYZ"), "XYZ叁元整")

    def test_minor_units(self):
        # JPY has no minor unit (rounding 1): rounded half up to the yen.
        self.assertEqual(chinese_capitals(12345.67, "JPY", 0), "日元壹万贰仟叁佰肆拾陆元整")
        self.assertEqual(chinese_capitals(12345.4, "JPY", 0), "日元壹万贰仟叁佰肆拾伍元整")
        self.assertEqual(chinese_capitals(0.4, "JPY", 0), "日元零元整")
        # half up, as res.currency.round
        self.assertEqual(chinese_capitals(0.125, "USD"), "美元壹角叁分")
        self.assertEqual(chinese_capitals(2.675, "EUR"), "欧元贰元陆角捌分")
        # three decimals (KWD): the thousandth is 厘
        self.assertEqual(
            chinese_capitals(12345.675, "KWD", 3), "KWD壹万贰仟叁佰肆拾伍元陆角柒分伍厘"
        )
        self.assertEqual(chinese_capitals(1.005, "KWD", 3), "KWD壹元零伍厘")
        self.assertEqual(chinese_capitals(1.5, "KWD", 3), "KWD壹元伍角")
        self.assertEqual(chinese_capitals(-5, "USD"), "美元负伍元整")
