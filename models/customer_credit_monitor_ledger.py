from odoo import api
from odoo import models

from ..tools import exposure_ledger
from ..tools.credit_exposure import ledger_orders_text


class CustomerCreditMonitor(models.AbstractModel):
    _inherit = "customer.credit.monitor"

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
