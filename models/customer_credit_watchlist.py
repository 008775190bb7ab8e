from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL

from ..tools.credit_exposure import exposure_sql
from ..tools.monitoring_rules import watch_severity_sql


class CustomerCreditWatchlist(models.Model):
    """Early-warning indicators per customer and company, refreshed daily in SQL.

    The previous score is carried from one refresh to the next, so that a drop
    since the last evaluation shows even when the evaluation itself lives elsewhere.
    """

    _name = "customer.credit.watchlist"
    _description = "Credit Watchlist"
    _order = "on_watchlist desc, severity desc, overdue_amount desc, id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    credit_manager_id = fields.Many2one("res.users", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    credit_group_id = fields.Many2one(
        "customer.credit.group", readonly=True, index="btree_not_null"
    )
    refreshed_on = fields.Date(readonly=True)
    credit_limit = fields.Monetary(readonly=True)
    exposure = fields.Monetary(readonly=True)
    utilisation_pct = fields.Float("Credit Used (%)", readonly=True, digits=(16, 1))
    open_amount = fields.Monetary("Open Receivable", readonly=True)
    overdue_amount = fields.Monetary("Overdue", readonly=True)
    overdue_ratio_pct = fields.Float("Overdue Ratio (%)", readonly=True, digits=(16, 1))
    dso_days = fields.Float("DSO (days)", readonly=True, digits=(16, 1))
    dso_days_previous = fields.Float("DSO 90 Days Ago", readonly=True, digits=(16, 1))
    dso_change_days = fields.Float("DSO Change (days)", readonly=True, digits=(16, 1))
    score = fields.Float(readonly=True)
    score_previous = fields.Float("Previous Score", readonly=True)
    score_drop = fields.Float(readonly=True)
    reason_utilisation = fields.Boolean("High Utilisation", readonly=True)
    reason_overdue_ratio = fields.Boolean("High Overdue Ratio", readonly=True)
    reason_dso = fields.Boolean("DSO Rising", readonly=True)
    reason_score = fields.Boolean("Score Dropped", readonly=True)
    reason_count = fields.Integer(readonly=True)
    on_watchlist = fields.Boolean(readonly=True, index=True)
    severity = fields.Float(
        readonly=True,
        digits=(16, 1),
        help="0-100: how much this customer needs attention, from its indicators (overdue "
        "share up to 35 points, credit used beyond 80% up to 25, DSO rise up to 15, score "
        "drop up to 15) and its overdue amount among the company's customers (up to 10). "
        "The watchlist and the daily digest are ranked by it.",
    )
    reasons = fields.Char(compute="_compute_reasons")

    _sql_constraints = [
        ("partner_company_uniq", "UNIQUE(partner_id, company_id)", "One row per customer."),
    ]

    @api.depends("reason_utilisation", "reason_overdue_ratio", "reason_dso", "reason_score")
    def _compute_reasons(self):
        for row in self:
            texts = []
            if row.reason_utilisation:
                texts.append(self.env._("Credit used %(pct)s%%", pct=round(row.utilisation_pct)))
            if row.reason_overdue_ratio:
                texts.append(
                    self.env._(
                        "%(pct)s%% of open receivable overdue", pct=round(row.overdue_ratio_pct)
                    )
                )
            if row.reason_dso:
                texts.append(
                    self.env._(
                        "DSO up %(change)s days in 90 days (%(before)s → %(now)s)",
                        change=round(row.dso_change_days),
                        before=round(row.dso_days_previous),
                        now=round(row.dso_days),
                    )
                )
            if row.reason_score:
                texts.append(
                    self.env._(
                        "Score down %(drop)s points (%(before)s → %(now)s)",
                        drop=round(row.score_drop, 1),
                        before=round(row.score_previous, 1),
                        now=round(row.score, 1),
                    )
                )
            row.reasons = "; ".join(texts)

    @api.model
    def _refresh(self, today=None):
        """Recompute the indicators of every customer of the current company in SQL."""
        company = self.env.company
        today = today or fields.Date.context_today(self)
        env = self.env
        env["res.partner"]._credit_flush()
        env["res.partner"].flush_model(["credit_score", "credit_manager_id", "user_id"])
        self.flush_model()
        key = str(company.id)
        d90 = fields.Date.subtract(today, days=90)
        d180 = fields.Date.subtract(today, days=180)
        limit_fallback = (
            env["res.partner"]
            ._fields["credit_limit"]
            .get_company_dependent_fallback(env["res.partner"])
            or 0.0
        )
        env.execute_query(
            SQL(
                """
                WITH exposure AS (%(exposure)s),
                ledger AS (
                    SELECT rp.commercial_partner_id AS pid,
                           SUM(aml.balance) AS balance_now,
                           SUM(aml.balance) FILTER (WHERE aml.date <= %(d90)s) AS balance_then,
                           SUM(aml.balance) FILTER (
                               WHERE aml.balance > 0 AND aml.date > %(d90)s
                                 AND aml.journal_id IN (SELECT id FROM account_journal
                                                         WHERE type = 'sale')) AS sales_now,
                           SUM(aml.balance) FILTER (
                               WHERE aml.balance > 0 AND aml.date > %(d180)s
                                 AND aml.date <= %(d90)s
                                 AND aml.journal_id IN (SELECT id FROM account_journal
                                                         WHERE type = 'sale')) AS sales_then
                      FROM account_move_line aml
                      JOIN res_partner rp ON rp.id = aml.partner_id
                     WHERE aml.account_id IN (SELECT id FROM account_account
                                               WHERE account_type = 'asset_receivable')
                       AND aml.parent_state = 'posted'
                       AND aml.company_id = %(company)s
                       AND aml.date <= %(today)s
                     GROUP BY rp.commercial_partner_id
                ),
                scope AS (
                    SELECT partner_id AS pid FROM exposure
                    UNION SELECT pid FROM ledger
                    UNION SELECT id FROM res_partner
                           WHERE credit_score ? %(key)s AND commercial_partner_id = id
                ),
                figures AS (
                    SELECT s.pid,
                           COALESCE((rp.credit_limit ->> %(key)s)::numeric, %(limit_fallback)s)
                               AS credit_limit,
                           COALESCE(e.not_due + e.overdue + e.unapplied + e.drafts + e.orders, 0)
                               AS exposure,
                           COALESCE(e.not_due + e.overdue, 0) AS open_amount,
                           COALESCE(e.overdue, 0) AS overdue_amount,
                           CASE WHEN l.sales_now > 0
                                THEN GREATEST(l.balance_now, 0) / l.sales_now * 90 END AS dso,
                           CASE WHEN l.sales_then > 0
                                THEN GREATEST(l.balance_then, 0) / l.sales_then * 90 END
                               AS dso_then,
                           (rp.credit_score ->> %(key)s)::numeric AS score,
                           (rp.credit_manager_id ->> %(key)s)::integer AS credit_manager_id,
                           rp.user_id
                      FROM scope s
                      JOIN res_partner rp ON rp.id = s.pid
                      LEFT JOIN exposure AS e(partner_id, not_due, overdue, days, unapplied,
                                              drafts, orders) ON e.partner_id = s.pid
                      LEFT JOIN ledger l ON l.pid = s.pid
                )
                INSERT INTO customer_credit_watchlist AS w (
                    partner_id, company_id, credit_manager_id, user_id, credit_group_id,
                    refreshed_on,
                    credit_limit, exposure, utilisation_pct, open_amount, overdue_amount,
                    overdue_ratio_pct, dso_days, dso_days_previous, dso_change_days,
                    score, score_previous,
                    create_uid, create_date, write_uid, write_date)
                SELECT f.pid, %(company)s, u.id, f.user_id,
                       (SELECT m.group_id FROM customer_credit_group_member m
                         WHERE m.partner_id = f.pid AND m.company_id = %(company)s),
                       %(today)s,
                       f.credit_limit, f.exposure,
                       CASE WHEN f.credit_limit > 0
                            THEN ROUND(100 * f.exposure / f.credit_limit, 2) ELSE 0 END,
                       f.open_amount, f.overdue_amount,
                       CASE WHEN f.open_amount > 0
                            THEN ROUND(100 * f.overdue_amount / f.open_amount, 2) ELSE 0 END,
                       ROUND(COALESCE(f.dso, 0), 1), ROUND(COALESCE(f.dso_then, 0), 1),
                       CASE WHEN f.dso IS NOT NULL AND f.dso_then IS NOT NULL
                            THEN ROUND(f.dso - f.dso_then, 1) ELSE 0 END,
                       f.score, NULL,
                       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM figures f
                  LEFT JOIN res_users u ON u.id = f.credit_manager_id
                ON CONFLICT (partner_id, company_id) DO UPDATE SET
                    credit_manager_id = EXCLUDED.credit_manager_id,
                    user_id = EXCLUDED.user_id,
                    credit_group_id = EXCLUDED.credit_group_id,
                    refreshed_on = EXCLUDED.refreshed_on,
                    credit_limit = EXCLUDED.credit_limit,
                    exposure = EXCLUDED.exposure,
                    utilisation_pct = EXCLUDED.utilisation_pct,
                    open_amount = EXCLUDED.open_amount,
                    overdue_amount = EXCLUDED.overdue_amount,
                    overdue_ratio_pct = EXCLUDED.overdue_ratio_pct,
                    dso_days = EXCLUDED.dso_days,
                    dso_days_previous = EXCLUDED.dso_days_previous,
                    dso_change_days = EXCLUDED.dso_change_days,
                    score_previous = CASE WHEN w.score IS DISTINCT FROM EXCLUDED.score
                                          THEN w.score ELSE w.score_previous END,
                    score = EXCLUDED.score,
                    write_uid = EXCLUDED.write_uid,
                    write_date = EXCLUDED.write_date
                """,
                exposure=exposure_sql(company.id, today),
                d90=d90,
                d180=d180,
                today=today,
                company=company.id,
                key=key,
                limit_fallback=limit_fallback,
                uid=self.env.uid,
            )
        )
        env.execute_query(
            SQL(
                """
                DELETE FROM customer_credit_watchlist
                 WHERE company_id = %(company)s AND refreshed_on < %(today)s
                """,
                company=company.id,
                today=today,
            )
        )
        env.execute_query(
            SQL(
                """
                UPDATE customer_credit_watchlist w SET
                    score_drop = CASE WHEN w.score_previous IS NOT NULL AND w.score IS NOT NULL
                                      THEN GREATEST(w.score_previous - w.score, 0) ELSE 0 END,
                    reason_utilisation = w.credit_limit > 0
                                         AND w.utilisation_pct >= %(util)s,
                    reason_overdue_ratio = w.overdue_amount > 0
                                           AND w.overdue_ratio_pct >= %(ratio)s,
                    reason_dso = w.dso_days_previous > 0 AND w.dso_change_days >= %(dso)s,
                    reason_score = %(drop)s > 0 AND w.score_previous IS NOT NULL
                                   AND w.score IS NOT NULL
                                   AND w.score_previous - w.score >= %(drop)s
                 WHERE w.company_id = %(company)s;
                UPDATE customer_credit_watchlist w SET
                    reason_count = reason_utilisation::int + reason_overdue_ratio::int
                                   + reason_dso::int + reason_score::int,
                    on_watchlist = reason_utilisation OR reason_overdue_ratio
                                   OR reason_dso OR reason_score
                 WHERE w.company_id = %(company)s;
                UPDATE customer_credit_watchlist w SET severity = %(severity)s
                  FROM (SELECT id, PERCENT_RANK() OVER (ORDER BY overdue_amount) AS amount_rank
                          FROM customer_credit_watchlist
                         WHERE company_id = %(company)s) AS r
                 WHERE r.id = w.id
                """,
                company=company.id,
                severity=watch_severity_sql("w", SQL("r.amount_rank")),
                util=company.credit_watch_utilisation_pct,
                ratio=company.credit_watch_overdue_ratio_pct,
                dso=company.credit_watch_dso_increase_days,
                drop=company.credit_watch_score_drop,
            )
        )
        self.invalidate_model()

    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
        }
