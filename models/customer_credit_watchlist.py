from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL

from ..tools.credit_exposure import exposure_index_sql
from ..tools.credit_exposure import exposure_sql
from ..tools.monitoring_rules import WATCH_LEDGER_INDEX
from ..tools.monitoring_rules import watch_ledger_sql
from ..tools.monitoring_rules import watch_reasons_sql
from ..tools.monitoring_rules import watch_severity_sql
from ..tools.sql_settings import whole_ledger_statement


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

    def init(self):
        result = super().init()
        self.env.cr.execute(exposure_index_sql(*WATCH_LEDGER_INDEX))
        return result

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
        """Recompute the indicators of every customer of the current company in SQL.

        One statement: the figures, the reasons and the severity of every customer are
        computed in a SELECT and written once by an upsert; the rows of customers who
        left the scope (nothing open, no ledger line, no score) are deleted in the same
        statement, so the watchlist holds exactly the customers of this refresh and the
        severity ranks them among themselves.
        """
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
        reasons = watch_reasons_sql(
            "i",
            company.credit_watch_utilisation_pct,
            company.credit_watch_overdue_ratio_pct,
            company.credit_watch_dso_increase_days,
            company.credit_watch_score_drop,
        )
        reason_columns = SQL(", ").join(
            SQL("%s AS %s", condition, SQL.identifier(column)) for column, condition in reasons
        )
        reason_count = SQL(" + ").join(
            SQL("%s::int", SQL.identifier("r", column)) for column, _condition in reasons
        )
        any_reason = SQL(" OR ").join(SQL.identifier("r", column) for column, _c in reasons)
        # JIT would compile the ~200 expressions of this one statement at every run (4 s
        # at 1M lines, more than the work itself)
        whole_ledger_statement(env.cr)
        env.execute_query(
            SQL(
                """
                WITH exposure AS (%(exposure)s),
                ledger AS (%(ledger)s),
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
                           -- the column is a float: compare and subtract scores as stored
                           (rp.credit_score ->> %(key)s)::numeric::float8 AS score,
                           u.id AS credit_manager_id,
                           rp.user_id,
                           m.group_id AS credit_group_id,
                           -- the score of the last refresh stays the reference until it changes
                           CASE WHEN w.score IS DISTINCT FROM
                                     (rp.credit_score ->> %(key)s)::numeric::float8
                                THEN w.score ELSE w.score_previous END AS score_previous
                      FROM scope s
                      JOIN res_partner rp ON rp.id = s.pid
                      LEFT JOIN exposure AS e(partner_id, not_due, overdue, days, unapplied,
                                              drafts, orders) ON e.partner_id = s.pid
                      LEFT JOIN ledger l ON l.pid = s.pid
                      LEFT JOIN res_users u
                             ON u.id = (rp.credit_manager_id ->> %(key)s)::integer
                      LEFT JOIN customer_credit_group_member m
                             ON m.partner_id = s.pid AND m.company_id = %(company)s
                      LEFT JOIN customer_credit_watchlist w
                             ON w.partner_id = s.pid AND w.company_id = %(company)s
                ),
                indicators AS (
                    SELECT f.pid, f.credit_manager_id, f.user_id, f.credit_group_id,
                           f.credit_limit, f.exposure,
                           CASE WHEN f.credit_limit > 0
                                THEN ROUND(100 * f.exposure / f.credit_limit, 2) ELSE 0 END
                               AS utilisation_pct,
                           f.open_amount, f.overdue_amount,
                           CASE WHEN f.open_amount > 0
                                THEN ROUND(100 * f.overdue_amount / f.open_amount, 2) ELSE 0 END
                               AS overdue_ratio_pct,
                           ROUND(COALESCE(f.dso, 0), 1) AS dso_days,
                           ROUND(COALESCE(f.dso_then, 0), 1) AS dso_days_previous,
                           CASE WHEN f.dso IS NOT NULL AND f.dso_then IS NOT NULL
                                THEN ROUND(f.dso - f.dso_then, 1) ELSE 0 END AS dso_change_days,
                           f.score, f.score_previous,
                           CASE WHEN f.score_previous IS NOT NULL AND f.score IS NOT NULL
                                THEN GREATEST(f.score_previous - f.score, 0) ELSE 0 END
                               AS score_drop
                      FROM figures f
                ),
                reasons AS (
                    SELECT i.*, %(reason_columns)s FROM indicators i
                ),
                written AS (
                    INSERT INTO customer_credit_watchlist AS w (
                        partner_id, company_id, credit_manager_id, user_id, credit_group_id,
                        refreshed_on,
                        credit_limit, exposure, utilisation_pct, open_amount, overdue_amount,
                        overdue_ratio_pct, dso_days, dso_days_previous, dso_change_days,
                        score, score_previous, score_drop,
                        reason_utilisation, reason_overdue_ratio, reason_dso, reason_score,
                        reason_count, on_watchlist, severity,
                        create_uid, create_date, write_uid, write_date)
                    SELECT r.pid, %(company)s, r.credit_manager_id, r.user_id, r.credit_group_id,
                           %(today)s,
                           r.credit_limit, r.exposure, r.utilisation_pct, r.open_amount,
                           r.overdue_amount, r.overdue_ratio_pct,
                           r.dso_days, r.dso_days_previous, r.dso_change_days,
                           r.score, r.score_previous, r.score_drop,
                           r.reason_utilisation, r.reason_overdue_ratio, r.reason_dso,
                           r.reason_score, %(reason_count)s, %(any_reason)s, %(severity)s,
                           %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                      FROM reasons r
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
                        score = EXCLUDED.score,
                        score_previous = EXCLUDED.score_previous,
                        score_drop = EXCLUDED.score_drop,
                        reason_utilisation = EXCLUDED.reason_utilisation,
                        reason_overdue_ratio = EXCLUDED.reason_overdue_ratio,
                        reason_dso = EXCLUDED.reason_dso,
                        reason_score = EXCLUDED.reason_score,
                        reason_count = EXCLUDED.reason_count,
                        on_watchlist = EXCLUDED.on_watchlist,
                        severity = EXCLUDED.severity,
                        write_uid = EXCLUDED.write_uid,
                        write_date = EXCLUDED.write_date
                    RETURNING partner_id
                )
                DELETE FROM customer_credit_watchlist gone
                 WHERE gone.company_id = %(company)s
                   AND NOT EXISTS (SELECT 1 FROM written WHERE written.partner_id = gone.partner_id)
                """,
                exposure=exposure_sql(company.id, today),
                ledger=watch_ledger_sql(company.id, today, d90, d180),
                today=today,
                company=company.id,
                key=key,
                limit_fallback=limit_fallback,
                reason_columns=reason_columns,
                reason_count=reason_count,
                any_reason=any_reason,
                severity=watch_severity_sql(
                    "r", SQL("PERCENT_RANK() OVER (ORDER BY r.overdue_amount)")
                ),
                uid=self.env.uid,
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
