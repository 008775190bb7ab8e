#!/usr/bin/env bash
# Regenerate i18n/customer_credit.pot from the installed addon and merge it into zh_CN.po.
# Usage: scripts/i18n_update.sh   (then translate the empty msgstr of i18n/zh_CN.po)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
eval "$(scripts/dev.sh env)"
DB=${I18N_DB:-credit_i18n}
PY=.venv/bin/python
ODOO_SRC="${ODOO_SRC:-$HOME/.cache/customer-credit/odoo-18.0}"
dropdb --if-exists "$DB"
"$PY" "$ODOO_SRC/odoo-bin" -c .local/odoo.conf -d "$DB" -i customer_credit --stop-after-init --log-level=warn
"$PY" "$ODOO_SRC/odoo-bin" -c .local/odoo.conf -d "$DB" --i18n-export=i18n/customer_credit.pot \
    --modules=customer_credit --stop-after-init --log-level=warn
if [ -f i18n/zh_CN.po ]; then
    msgmerge --quiet --no-fuzzy-matching --no-wrap --update --backup=none i18n/zh_CN.po i18n/customer_credit.pot
else
    msginit --no-translator --no-wrap --locale=zh_CN --input=i18n/customer_credit.pot --output-file=i18n/zh_CN.po
fi
msgattrib --no-obsolete --no-wrap -o i18n/zh_CN.po i18n/zh_CN.po
echo "untranslated entries in i18n/zh_CN.po: $(msgattrib --untranslated i18n/zh_CN.po | grep -c '^msgid ' || true)"
