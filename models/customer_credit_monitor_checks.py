from odoo import api, fields, models
from odoo.tools import SQL

# Field names tried, in order, on models built by other parts of the addon.
LIMIT_END_FIELDS = ("date_valid_until", "valid_until", "date_end", "date_to", "expiry_date")
AGREEMENT_END_FIELDS = ("date_end", "end_date", "date_to", "valid_until", "date_valid_until")
INACTIVE_STATES = ("draft", "cancel", "cancelled", "refused", "expired", "closed", "done",
                   "terminated", "void")


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
            created += monitor._check_expiring(
                "limit", "customer.credit.limit.request", LIMIT_END_FIELDS, today, horizon
            )
            created += monitor._check_expiring(
                "agreement", "customer.credit.agreement", AGREEMENT_END_FIELDS, today, horizon
            )
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
        notices = []
        for record in records:
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
            notices.append(
                {
                    "company_id": company.id,
                    "kind": kind,
                    "res_model": record._name,
                    "res_id": record.id,
                    "due_date": due,
                }
            )
        self.env["customer.credit.monitoring.notice"].create(notices)
        return len(notices)

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
    def _check_expiring(self, kind, model_name, date_candidates, today, horizon):
        """Records of another part of the addon ending soon, when that part is installed."""
        if model_name not in self.env:
            return 0
        Model = self.env[model_name]
        date_field = next((name for name in date_candidates if name in Model._fields), None)
        if not date_field or "partner_id" not in Model._fields:
            return 0
        domain = [(date_field, "!=", False), (date_field, "<=", horizon), (date_field, ">=", today)]
        if "company_id" in Model._fields:
            domain.append(("company_id", "in", (False, self.env.company.id)))
        if "state" in Model._fields:
            domain.append(("state", "not in", INACTIVE_STATES))
        if kind == "limit" and "limit_type" in Model._fields:
            domain.append(("limit_type", "=", "temporary"))
        records = Model.search(domain)
        due_dates = {record.id: record[date_field] for record in records}
        announced = self._announced(kind, model_name, list(due_dates.items()))
        records = records.filtered(lambda r: (r.id, due_dates[r.id]) not in announced)
        if kind == "limit":
            activity = "customer_credit.mail_activity_type_credit_limit_expiry"

            def summary(record, due):
                return self.env._(
                    "Temporary credit limit of %(partner)s expires on %(date)s",
                    partner=record.partner_id.display_name,
                    date=due,
                )
        else:
            activity = "customer_credit.mail_activity_type_credit_agreement"

            def summary(record, due):
                return self.env._(
                    "Credit agreement %(agreement)s of %(partner)s ends on %(date)s",
                    agreement=record.display_name,
                    partner=record.partner_id.display_name,
                    date=due,
                )
        return self._announce(
            kind, records, due_dates, activity, summary, lambda record: record.partner_id
        )
