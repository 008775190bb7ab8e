import logging

from odoo import api
from odoo import models

from ..tools import exposure_ledger
from ..tools.credit_exposure import ledger_orders_text

_logger = logging.getLogger(__name__)

COMPACTED_PARAM = "customer_credit.exposure_ledger_compacted_id"


class CustomerCreditMonitor(models.AbstractModel):
    _inherit = "customer.credit.monitor"

    @api.model
    def _cron_compact_exposure_ledger(self):
        """Hourly: merge the exposure ledger's entries of the customers that changed
        since the last run (one row per key). The figures do not change; a customer's
        exposure then reads a few rows instead of one per change."""
        params = self.env["ir.config_parameter"].sudo()
        after = int(params.get_param(COMPACTED_PARAM, "0") or 0)
        self.env.cr.execute(exposure_ledger.compact_sql(after))
        removed, written, last = self.env.cr.fetchone()
        if last:
            params.set_param(COMPACTED_PARAM, str(last))
        _logger.info("exposure ledger compacted: %s entries merged into %s", removed, written)
        return removed, written

    @api.model
    def _exposure_ledger_drift(self):
        """Where the exposure ledger differs from the documents: [(table, key, kept,
        ledger)], empty when it agrees (tests, ``make bench``)."""
        self.env.flush_all()
        self.env.cr.execute(exposure_ledger.drift_sql(ledger_orders_text(restricted=False)))
        return self.env.cr.fetchall()

    @api.model
    def _rebuild_exposure_ledger(self):
        """Fill the exposure ledger again from the documents (after a bulk load made with
        its triggers off)."""
        self.env.flush_all()
        exposure_ledger.rebuild(self.env.cr, ledger_orders_text(restricted=False))
