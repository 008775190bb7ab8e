"""Amounts in words for printed documents (pure function, no ORM)."""

import cn2an


def is_chinese(lang_code):
    """True for zh, zh_CN, zh_TW, zh_HK ... language codes."""
    return (lang_code or "").lower().startswith("zh")


def amount_in_words(amount, lang_code, other_language_words):
    """``amount`` in words for ``lang_code``.

    Chinese languages get the capital numerals used on contracts and cheques
    (壹万贰仟叁佰肆拾伍元陆角柒分) from cn2an; other languages get
    ``other_language_words(amount)`` (Odoo's ``res.currency.amount_to_text``, num2words).
    """
    if is_chinese(lang_code):
        return cn2an.an2cn(f"{round(amount, 2):.2f}", "rmb")
    return other_language_words(amount)
