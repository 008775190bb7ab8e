from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def _credit_digest_domain(self, company):
        self.ensure_one()
        return [
            ("company_id", "=", company.id),
            ("on_watchlist", "=", True),
            "|",
            ("credit_manager_id", "=", self.id),
            ("credit_manager_id", "=", False),
        ]

    def _credit_watchlist_digest_rows(self):
        """Watched customers for this manager's digest (company from the context)."""
        self.ensure_one()
        company = self.env["res.company"].browse(
            self.env.context.get("credit_digest_company_id") or self.env.company.id
        )
        return (
            self.env["customer.credit.watchlist"].sudo().search(self._credit_digest_domain(company))
        )
