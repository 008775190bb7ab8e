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

    def _credit_digest_company(self):
        return self.env["res.company"].browse(
            self.env.context.get("credit_digest_company_id") or self.env.company.id
        )

    def _credit_watchlist_digest_rows(self):
        """The watched customers this manager's digest lists (company from the context):
        the most severe first, as many as the company's digest size."""
        self.ensure_one()
        company = self._credit_digest_company()
        return (
            self.env["customer.credit.watchlist"]
            .sudo()
            .search(
                self._credit_digest_domain(company),
                limit=company.credit_watch_digest_size or None,
            )
        )

    def _credit_watchlist_digest_count(self):
        """How many watched customers this manager has in all (the digest may list fewer)."""
        self.ensure_one()
        company = self._credit_digest_company()
        return (
            self.env["customer.credit.watchlist"]
            .sudo()
            .search_count(self._credit_digest_domain(company))
        )
