"""Amounts in words for printed documents (pure function, no ORM)."""

from decimal import ROUND_HALF_UP
from decimal import Decimal

import cn2an

# Chinese names of currencies, as the People's Bank of China names them in its daily
# exchange-rate announcements (plus 新台币). CNY has none: its reading is the
# 元/角/分 of the capitals themselves, as printed before this table existed.
CURRENCY_NAMES_ZH = {
    "USD": "美元",
    "EUR": "欧元",
    "JPY": "日元",
    "HKD": "港元",
    "GBP": "英镑",
    "AUD": "澳大利亚元",
    "NZD": "新西兰元",
    "SGD": "新加坡元",
    "CHF": "瑞士法郎",
    "CAD": "加拿大元",
    "MOP": "澳门元",
    "TWD": "新台币",
    "MYR": "马来西亚林吉特",
    "RUB": "俄罗斯卢布",
    "ZAR": "南非兰特",
    "KRW": "韩元",
    "AED": "阿联酋迪拉姆",
    "SAR": "沙特里亚尔",
    "HUF": "匈牙利福林",
    "PLN": "波兰兹罗提",
    "DKK": "丹麦克朗",
    "SEK": "瑞典克朗",
    "NOK": "挪威克朗",
    "TRY": "土耳其里拉",
    "MXN": "墨西哥比索",
    "THB": "泰铢",
}

# Tenths, hundredths and thousandths of the unit in Chinese capitals.
FRACTION_UNITS = ("角", "分", "厘")


def is_chinese(lang_code):
    """True for zh, zh_CN, zh_TW, zh_HK ... language codes."""
    return (lang_code or "").lower().startswith("zh")


def currency_name_zh(currency_code):
    """The name written before the capitals: '' for CNY, 美元 for USD, the ISO code else."""
    code = (currency_code or "").upper()
    if code in ("CNY", "RMB"):
        return ""
    return CURRENCY_NAMES_ZH.get(code, code)


def chinese_capitals(amount, currency_code, decimal_places=2):
    """``amount`` in the Chinese capitals of contracts and cheques (大写金额).

    Convention (that of bank vouchers and contracts in China: the currency is named
    right before the capitals, with no space, and the capitals follow the rules of the
    RMB capitals: 元 for the unit, 角 and 分 (厘 for a third decimal) for its tenths and
    hundredths, 零 for skipped digits, 整 when there is no fraction):

    - CNY: ``壹万贰仟叁佰肆拾伍元陆角柒分``, ``伍万元整`` (no currency name, unchanged);
    - a currency of ``CURRENCY_NAMES_ZH``: its Chinese name first,
      ``美元壹万贰仟叁佰肆拾伍元陆角柒分``, ``欧元伍万元整``; the 元 that follows is the
      unit of the named currency, never RMB, and 人民币 is never written;
    - any other currency: its ISO code first, ``INR壹万贰仟叁佰肆拾伍元陆角柒分``;
    - a currency without a minor unit (``decimal_places`` 0, JPY, KRW) is rounded to
      the unit: ``日元壹万贰仟叁佰肆拾陆元整`` for 12,345.67.

    The amount is rounded half up to ``decimal_places`` (as ``res.currency.round``).
    """
    places = max(0, min(int(decimal_places or 0), len(FRACTION_UNITS)))
    value = Decimal(str(amount)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "负" if value < 0 else ""
    integral, _sep, fraction = f"{abs(value):.{places}f}".partition(".")
    integral = int(integral)
    words = []
    if integral:
        words.append(cn2an.an2cn(str(integral), "up") + "元")
    # A zero digit between two read digits is read once as 零 (壹拾元零伍分).
    pending_zero = False
    for digit, unit in zip(fraction, FRACTION_UNITS, strict=False):
        if digit == "0":
            pending_zero = bool(words)
            continue
        if pending_zero:
            words.append("零")
            pending_zero = False
        words.append(cn2an.an2cn(digit, "up") + unit)
    if not words:
        words.append("零元")
    if not fraction.strip("0"):
        words.append("整")
    return currency_name_zh(currency_code) + sign + "".join(words)


def amount_in_words(amount, lang_code, other_language_words, currency_code, decimal_places=2):
    """``amount`` of ``currency_code`` in words for ``lang_code``.

    Chinese languages get the capital numerals used on contracts and cheques, naming the
    currency (:func:`chinese_capitals`); other languages get
    ``other_language_words(amount)`` (Odoo's ``res.currency.amount_to_text``, num2words,
    which names the currency's unit and subunit itself).
    """
    if is_chinese(lang_code):
        return chinese_capitals(amount, currency_code, decimal_places)
    return other_language_words(amount)
