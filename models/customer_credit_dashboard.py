"""The credit dashboard (Credit > Overview): every figure and chart series of a company
in one read-only call, each figure with the list behind it."""

import heapq
from datetime import timedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.tools import SQL
from odoo.tools.misc import format_date

from ..tools.credit_exposure import exposure_from_row
from ..tools.credit_exposure import exposure_sql
from ..tools.credit_exposure import total_exposure
from ..tools.dashboard_math import UTILISATION_BANDS
from ..tools.dashboard_math import days_sales_outstanding
from ..tools.dashboard_math import dso_trend
from ..tools.dashboard_math import dso_window
from ..tools.dashboard_math import month_end_dates
from ..tools.dashboard_math import month_start
from ..tools.dashboard_math import utilisation_band
from ..tools.receivables import open_receivable_domain
from ..tools.sql_settings import whole_ledger_statement

# Agreements ending and credit reviews falling due within this many days.
DUE_SOON_DAYS = 30
# Points of the monthly series (11 month ends, then today).
HISTORY_MONTHS = 12
TOP_EXPOSURES = 10
CUSTOMERS_ACTION = "customer_credit.res_partner_action_credit"


class CustomerCreditDashboard(models.AbstractModel):
    _name = "customer.credit.dashboard"
    _description = "Credit Dashboard"

    @api.model
    @api.readonly
    def get_dashboard_data(self):
        """Figures and chart series of the credit dashboard of the current company, in
        its currency, for credit managers; nothing is written.

        Returns ``{company, currency_id, today, figures, charts}``: ``figures`` is a list
        of ``{key, label, value, kind, action}`` (``kind``: monetary, count or days;
        ``action``: the window action of the list behind the figure), ``charts`` holds
        the series by grade, utilisation band, month and the top exposures.
        """
        if not self.env.user.has_group("customer_credit.group_credit_manager"):
            raise AccessError(
                self.env._("The credit dashboard is for credit managers: ask one of them.")
            )
        company = self.env.company
        today = fields.Date.context_today(self)
        customers = self._customer_terms()
        exposures = self._exposures(company, today)
        totals = {
            pid: total_exposure(values) for pid, values in exposures.items() if pid in customers
        }
        over_limit = [
            pid
            for pid, terms in customers.items()
            if terms[0] > 0 and totals.get(pid, 0.0) > terms[0]
        ]
        figures = self._figures(company, today, customers, exposures, totals, over_limit)
        history = self._history(company, today, exposures)
        figures.append(history.pop("figure"))
        return {
            "company": company.name,
            "currency_id": company.currency_id.id,
            "today": fields.Date.to_string(today),
            "figures": figures,
            "charts": {
                "grades": self._grade_series(customers, totals),
                "utilisation": self._utilisation_series(customers, totals),
                "months": history,
                "top_exposures": self._top_exposures(totals),
            },
        }

    # ------------------------------------------------------------------ data

    @api.model
    def _customer_terms(self):
        """{customer id: (credit limit, grade id, hold)} in the current company, for the
        customers of the Credit > Customers list (companies, active, record rules)."""
        Partner = self.env["res.partner"]
        query = Partner._search([("is_company", "=", True)])
        Sudo = Partner.sudo()  # the credit fields are restricted to the credit groups
        rows = self.env.execute_query(
            query.select(
                SQL.identifier(Partner._table, "id"),
                Sudo._field_to_sql(Partner._table, "credit_limit", query),
                Sudo._field_to_sql(Partner._table, "credit_grade_id", query),
                Sudo._field_to_sql(Partner._table, "credit_hold", query),
            )
        )
        return {
            pid: (float(limit or 0.0), grade_id or None, bool(hold))
            for pid, limit, grade_id, hold in rows
        }

    @api.model
    def _exposures(self, company, today):
        """{commercial partner id: exposure components} of every customer of ``company``
        with something open: the exposure query, once for all of them."""
        Partner = self.env["res.partner"]
        Partner._credit_flush()
        whole_ledger_statement(self.env.cr)
        query = exposure_sql(
            company.id, today, tolerance_days=company.credit_overdue_tolerance_days
        )
        return {row[0]: exposure_from_row(row) for row in self.env.execute_query(query)}

    # ------------------------------------------------------------------ figures

    @api.model
    def _action(self, xmlid, name, domain, context=None):
        """The window action ``xmlid`` showing ``domain`` under the title ``name``."""
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action.update(name=name, display_name=name, domain=domain)
        if context is not None:
            action["context"] = context
        return action

    @api.model
    def _figures(self, company, today, customers, exposures, totals, over_limit):
        _ = self.env._
        is_customer = [("is_company", "=", True)]
        soon = today + timedelta(days=DUE_SOON_DAYS)
        in_company = [("company_id", "=", company.id)]
        pending = {
            "releases": ("customer.credit.release", "customer_credit_release_action", "pending"),
            "limit_requests": (
                "customer.credit.limit.request",
                "customer_credit_limit_request_action",
                "to_approve",
            ),
            "evaluations": (
                "customer.credit.evaluation",
                "customer_credit_evaluation_action",
                "submitted",
            ),
        }
        labels = {
            "releases": _("Releases to Decide"),
            "limit_requests": _("Limit Requests to Approve"),
            "evaluations": _("Evaluations to Approve"),
        }
        beyond = [
            pid
            for pid, values in exposures.items()
            if pid in customers and values["credit_overdue_beyond_tolerance"] > 0
        ]
        figures = [
            {
                "key": "exposure",
                "label": _("Total Exposure"),
                "kind": "monetary",
                "value": sum(totals.values()),
                "action": self._action(CUSTOMERS_ACTION, _("Customers"), is_customer),
            },
            {
                "key": "over_limit",
                "label": _("Customers Over Limit"),
                "kind": "count",
                "value": len(over_limit),
                "action": self._action(
                    CUSTOMERS_ACTION,
                    _("Customers Over Limit"),
                    is_customer + [("credit_over_limit", "=", True)],
                ),
            },
            {
                "key": "on_hold",
                "label": _("Customers on Hold"),
                "kind": "count",
                "value": sum(1 for terms in customers.values() if terms[2]),
                "action": self._action(
                    CUSTOMERS_ACTION,
                    _("Customers on Hold"),
                    is_customer + [("credit_hold", "=", True)],
                ),
            },
            {
                "key": "overdue",
                "label": _("Overdue Beyond Tolerance"),
                "kind": "count",
                "value": len(beyond),
                "action": self._action(
                    CUSTOMERS_ACTION,
                    _("Customers Overdue Beyond Tolerance"),
                    is_customer + [("credit_overdue_beyond_tolerance", ">", 0)],
                ),
            },
        ]
        for key, (model, action_id, state) in pending.items():
            domain = in_company + [("state", "=", state)]
            figures.append(
                {
                    "key": key,
                    "label": labels[key],
                    "kind": "count",
                    "value": self.env[model].search_count(domain),
                    "action": self._action(f"customer_credit.{action_id}", labels[key], domain),
                }
            )
        agreements = in_company + [("state", "=", "active"), ("date_end", "<=", soon)]
        reviews = is_customer + [
            ("credit_review_date", "!=", False),
            ("credit_review_date", "<=", soon),
        ]
        figures += [
            {
                "key": "agreements_due",
                "label": _("Agreements Ending in 30 Days"),
                "kind": "count",
                "value": self.env["customer.credit.agreement"].search_count(agreements),
                "action": self._action(
                    "customer_credit.customer_credit_agreement_action",
                    _("Agreements Ending in 30 Days"),
                    agreements,
                ),
            },
            {
                "key": "reviews_due",
                "label": _("Credit Reviews Due in 30 Days"),
                "kind": "count",
                "value": self.env["res.partner"].search_count(reviews),
                "action": self._action(
                    CUSTOMERS_ACTION, _("Credit Reviews Due in 30 Days"), reviews
                ),
            },
        ]
        return figures

    # ------------------------------------------------------------------ charts

    @api.model
    def _history(self, company, today, exposures):
        """Owed and overdue at the last month ends and today, and the DSO of each point
        (month ends from the snapshots, today from the exposure)."""
        dates = month_end_dates(today, HISTORY_MONTHS)
        # two more month ends back: the DSO window of the first point
        past = month_end_dates(today, HISTORY_MONTHS + 2)[:-1]
        history = self.env["customer.credit.receivable.snapshot"]._history(company, past)
        sales = {month_start(day): figures[2] for day, figures in history.items()}
        sales[month_start(today)] = (
            self.env["customer.credit.receivable.snapshot"]
            ._sales_by_month(company, month_start(today), today)
            .get(month_start(today), 0.0)
        )
        owed_today = sum(
            v["credit_receivable_not_due"] + v["credit_overdue"] for v in exposures.values()
        )
        overdue_today = sum(v["credit_overdue"] for v in exposures.values())
        points = {
            **{day: history[day][:2] for day in dates[:-1]},
            today: (owed_today, overdue_today),
        }
        dso = []
        for day in dates:
            start, days = dso_window(day)
            window_sales = sum(amount for month, amount in sales.items() if start <= month <= day)
            dso.append(days_sales_outstanding(points[day][0], window_sales, days))
        move_domain = open_receivable_domain(company.id) + [("amount_residual", ">", 0)]
        figure = {
            "key": "dso",
            "label": self.env._("DSO (days)"),
            "kind": "days",
            "value": dso[-1],
            "trend": dso_trend(dso),
            "action": {
                "type": "ir.actions.act_window",
                "name": self.env._("Open Customer Debts"),
                "res_model": "account.move.line",
                "views": [[False, "list"], [False, "form"]],
                "domain": move_domain,
                "context": {"create": False},
            },
        }
        return {
            "figure": figure,
            "labels": [format_date(self.env, day, date_format="MMM yyyy") for day in dates],
            "owed": [points[day][0] for day in dates],
            "overdue": [points[day][1] for day in dates],
            "dso": dso,
        }

    @api.model
    def _grade_series(self, customers, totals):
        """Exposure and credit limits summed by grade (grades in their order, then the
        customers without a grade if any)."""
        grades = self.env["customer.credit.grade"].search(
            [("company_id", "in", [False, self.env.company.id])]
        )
        exposure = dict.fromkeys([*grades.ids, None], 0.0)
        limit = dict.fromkeys([*grades.ids, None], 0.0)
        for pid, (credit_limit, grade_id, _hold) in customers.items():
            key = grade_id if grade_id in exposure else None
            exposure[key] += totals.get(pid, 0.0)
            limit[key] += credit_limit
        keys = list(grades.ids)
        labels = list(grades.mapped("code"))
        if exposure[None] or limit[None]:
            keys.append(None)
            labels.append(self.env._("No Grade"))
        return {
            "labels": labels,
            "exposure": [exposure[key] for key in keys],
            "limit": [limit[key] for key in keys],
        }

    @api.model
    def _utilisation_series(self, customers, totals):
        """Customers with a limit by band of exposure in % of the limit, and the
        customers with an exposure but no limit."""
        counts = [0] * len(UTILISATION_BANDS)
        no_limit = 0
        for pid, (credit_limit, _grade, _hold) in customers.items():
            exposure = totals.get(pid, 0.0)
            if credit_limit > 0:
                counts[utilisation_band(credit_limit, exposure)] += 1
            elif exposure > 0:
                no_limit += 1
        _ = self.env._
        return {
            "labels": [
                _("Under 50%"),
                _("50–80%"),
                _("80–100%"),
                _("Over Limit"),
                _("No Limit"),
            ],
            "counts": [*counts, no_limit],
        }

    @api.model
    def _top_exposures(self, totals):
        # the largest, ties by id (a partial sort: 20,000 customers on the bench ledger)
        top = heapq.nsmallest(TOP_EXPOSURES, totals.items(), key=lambda item: (-item[1], item[0]))
        top = [(pid, amount) for pid, amount in top if amount > 0]
        names = {
            partner.id: partner.display_name
            for partner in self.env["res.partner"].browse([pid for pid, _a in top])
        }
        return {
            "labels": [names[pid] for pid, _a in top],
            "amounts": [amount for _pid, amount in top],
            "partner_ids": [pid for pid, _a in top],
        }
