from odoo import api
from odoo import fields
from odoo import models


class CustomerCreditMonitor(models.AbstractModel):
    _inherit = "customer.credit.monitor"

    @api.model
    def _cron_refresh_watchlist(self, send_digest=True):
        """Daily: recompute the early-warning indicators of every company, then send
        each credit manager a digest of the customers on the watchlist."""
        today = fields.Date.context_today(self)
        sent = []
        companies = self.env["res.company"].search([])

        def refresh(company):
            monitor = self.sudo().with_company(company)
            monitor.env["customer.credit.watchlist"]._refresh(today)
            if send_digest:
                sent.append(monitor._send_watchlist_digest())

        for index, company in enumerate(companies, start=1):
            # The SQL refresh works per company: a company that fails keeps its last figures.
            self._run_isolated(self.env._("Refresh the credit watchlist"), company, refresh)
            self._commit_batch(index, len(companies) - index)
        return sum(sent)

    @api.model
    def _send_watchlist_digest(self):
        """One email per credit manager of the current company listing the watched
        customers they manage (and those without a credit manager)."""
        company = self.env.company
        template = self.env.ref(
            "customer_credit.mail_template_credit_watchlist_digest", raise_if_not_found=False
        )
        if not template:
            return 0
        Watch = self.env["customer.credit.watchlist"]
        recipients = []
        for manager in self._company_credit_managers():
            if not manager.email:
                continue
            rows = Watch.search(manager._credit_digest_domain(company))
            if rows:
                recipients.append(manager.id)
        if recipients:
            template.with_context(credit_digest_company_id=company.id).send_mail_batch(
                recipients, email_layout_xmlid="mail.mail_notification_light"
            )
        return len(recipients)
