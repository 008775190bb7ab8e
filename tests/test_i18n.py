import os
from unittest.mock import patch

import polib

import odoo.addons
from odoo.tests import TransactionCase
from odoo.tests import tagged
from odoo.tools.translate import TranslationModuleReader

ADDON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def addon_terms(cr):
    """Translatable terms of customer_credit (records, Python, QWeb), scanning only its
    own directory instead of every addon on the path."""
    with patch.object(odoo.addons, "__path__", [os.path.dirname(ADDON_DIR)]):
        reader = TranslationModuleReader(cr, modules=["customer_credit"])
        return {row[4] for row in reader if row[0] == "customer_credit"}


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_zh_cn_translates_every_string(self):
        """Every translatable term of the addon has a Chinese translation in zh_CN.po."""
        sources = addon_terms(self.env.cr)
        path = os.path.join(ADDON_DIR, "i18n", "zh_CN.po")
        catalog = polib.pofile(path)
        translated = {entry.msgid for entry in catalog.translated_entries()}
        missing = sorted(sources - translated)
        self.assertFalse(
            missing,
            "Terms without a zh_CN translation (run tools/i18n_update.sh, then translate):\n"
            + "\n".join(missing[:50]),
        )

    def test_pot_lists_every_string(self):
        sources = addon_terms(self.env.cr)
        path = os.path.join(ADDON_DIR, "i18n", "customer_credit.pot")
        template = {entry.msgid for entry in polib.pofile(path)}
        self.assertFalse(sorted(sources - template)[:50], "customer_credit.pot is out of date")
