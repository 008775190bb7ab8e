from odoo import models
from odoo.exceptions import UserError


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_foreign_keys(self, src_partners, dst_partner):
        # The merge rewrites every column pointing to the merged contacts with plain SQL:
        # on the decision ledger that would break the hash chain (the audit record).
        decided = (
            self.env["customer.credit.decision"]
            .sudo()
            .search([("partner_id", "in", src_partners.ids)], limit=1)
        )
        if decided:
            raise UserError(
                self.env._(
                    "%(partner)s has credit decisions in the decision ledger, which cannot "
                    "be rewritten: it cannot be merged into %(target)s. Keep it as the "
                    "destination of the merge, or archive it instead.",
                    partner=decided.partner_id.display_name,
                    target=dst_partner.display_name,
                )
            )
        return super()._update_foreign_keys(src_partners, dst_partner)
