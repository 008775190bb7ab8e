from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL

# What each kind of expiring record is: model, end date field, state that is running.
EXPIRING = {
    "limit": ("customer.credit.limit.request", "valid_until", "approved"),
}


class CustomerCreditMonitor(models.AbstractModel):
    _inherit = "customer.credit.monitor"

    @api.model
    def _cron_run_credit_checks(self):
        """Daily: activities for credit reviews coming due, temporary limits about to
        expire and agreements nearing their end (each announced once per due date)."""
        today = fields.Date.context_today(self)
        created = 0
        for company in self.env["res.company"].search([]):
            monitor = self.sudo().with_company(company)
            horizon = fields.Date.add(today, days=company.credit_notice_days)
            created += monitor._check_reviews_due(today, horizon)
            created += monitor._check_expiring("limit", today, horizon)
            # Agreements nearing their end get their renewal activity from
            # customer.credit.agreement._cron_expire_agreements (30 days before the end).
            self._commit_batch(created, 0)
        return created

    @api.model
    def _announced(self, kind, res_model, pairs):
        """The (res_id, due_date) pairs among ``pairs`` already announced."""
        if not pairs:
            return set()
        notices = self.env["customer.credit.monitoring.notice"].search(
            [
                ("company_id", "=", self.env.company.id),
                ("kind", "=", kind),
                ("res_model", "=", res_model),
                ("res_id", "in", [res_id for res_id, _date in pairs]),
            ]
        )
        return {(notice.res_id, notice.due_date) for notice in notices}

    @api.model
    def _announce(self, kind, records, due_dates, activity_xmlid, summary_for, partner_of):
        """Schedule an activity per record for its credit manager(s) and remember it."""
        company = self.env.company

        def announce(record):
            due = due_dates[record.id]
            partner = partner_of(record)
            target = record if hasattr(record, "activity_schedule") else partner
            for user in self._credit_managers_for(partner):
                target.activity_schedule(
                    activity_xmlid,
                    date_deadline=max(due, fields.Date.context_today(self)),
                    user_id=user.id,
                    summary=summary_for(record, due),
                )

        done = self._run_isolated(self.env._("Credit checks"), records, announce)
        # The failed records are not remembered: the next run announces them again.
        self.env["customer.credit.monitoring.notice"].create(
            [
                {
                    "company_id": company.id,
                    "kind": kind,
                    "res_model": record._name,
                    "res_id": record.id,
                    "due_date": due_dates[record.id],
                }
                for record in done
            ]
        )
        return len(done)

    @api.model
    def _check_reviews_due(self, today, horizon):
        company = self.env.company
        self.env["res.partner"].flush_model(["credit_review_date", "commercial_partner_id"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT rp.id, (rp.credit_review_date ->> %(key)s)::date
                  FROM res_partner rp
                 WHERE rp.active AND rp.commercial_partner_id = rp.id
                   AND (rp.credit_review_date ->> %(key)s)::date <= %(horizon)s
                   AND NOT EXISTS (
                        SELECT 1 FROM customer_credit_monitoring_notice n
                         WHERE n.company_id = %(company)s AND n.kind = 'review'
                           AND n.res_model = 'res.partner' AND n.res_id = rp.id
                           AND n.due_date = (rp.credit_review_date ->> %(key)s)::date)
                """,
                key=str(company.id),
                horizon=horizon,
                company=company.id,
            )
        )
        due_dates = {pid: due for pid, due in rows}
        partners = self.env["res.partner"].browse(list(due_dates))
        return self._announce(
            "review",
            partners,
            due_dates,
            "customer_credit.mail_activity_type_credit_review",
            lambda partner, due: self.env._(
                "Credit review of %(partner)s due on %(date)s",
                partner=partner.display_name,
                date=due,
            ),
            lambda partner: partner,
        )

    @api.model
    def _check_expiring(self, kind, today, horizon):
        """Running temporary limits (or other ``EXPIRING`` records) ending soon."""
        model_name, date_field, running_state = EXPIRING[kind]
        Model = self.env[model_name]
        domain = [
            (date_field, "!=", False),
            (date_field, "<=", horizon),
            (date_field, ">=", today),
            ("company_id", "=", self.env.company.id),
            ("state", "=", running_state),
        ]
        if kind == "limit":
            domain.append(("limit_type", "=", "temporary"))
        records = Model.search(domain)
        due_dates = {record.id: record[date_field] for record in records}
        announced = self._announced(kind, model_name, list(due_dates.items()))
        records = records.filtered(lambda r: (r.id, due_dates[r.id]) not in announced)
        activity = "customer_credit.mail_activity_type_credit_limit_expiry"

        def summary(record, due):
            return self.env._(
                "Temporary credit limit of %(partner)s expires on %(date)s",
                partner=record.partner_id.display_name,
                date=due,
            )

        return self._announce(
            kind, records, due_dates, activity, summary, lambda record: record.partner_id
        )
