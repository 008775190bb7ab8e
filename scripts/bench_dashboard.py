"""Credit dashboard benchmark (issue 14 part 3), loaded by scripts/bench.py.

``dashboard``: ``customer.credit.dashboard.get_dashboard_data()`` as the admin (a credit
manager) in the bench company, from an empty cache, the month-end snapshots taken
(target <= 1 s for the whole call); with its parts timed alone (the exposure of every
customer, the customers' terms, the monthly history) and the cost of taking the
snapshots (what the daily cron spends once a month, per company).

The benchmark runs in the harness's rolled-back cursor: on a bench database installed
before the dashboard existed, the snapshot table is created in that transaction and
disappears with it (PostgreSQL DDL is transactional); nothing is committed.
"""

import time


def _take_snapshots(env, company):
    """The cron's work for ``company`` without its per-company commit; seconds spent."""
    Snapshot = env["customer.credit.receivable.snapshot"].sudo()
    env.cr.execute("SELECT to_regclass('customer_credit_receivable_snapshot')")
    if not env.cr.fetchone()[0]:
        # installed before the dashboard: the model's table, in this transaction only
        env.cr.execute(
            """
            CREATE TABLE customer_credit_receivable_snapshot (
                id serial PRIMARY KEY, company_id integer NOT NULL, date date NOT NULL,
                amount_owed numeric, amount_overdue numeric, amount_sales numeric,
                create_uid integer, create_date timestamp, write_uid integer,
                write_date timestamp, UNIQUE (company_id, date))
            """
        )
    # Odoo is importable once the harness has booted it
    from odoo import fields  # noqa: PLC0415
    from odoo.addons.customer_credit.models.customer_credit_receivable_snapshot import SALES_INDEX  # noqa: PLC0415
    from odoo.addons.customer_credit.models.customer_credit_receivable_snapshot import (  # noqa: PLC0415
        SNAPSHOT_MONTHS,
    )
    from odoo.addons.customer_credit.tools.credit_exposure import exposure_index_sql  # noqa: PLC0415
    from odoo.addons.customer_credit.tools.dashboard_math import month_end_dates  # noqa: PLC0415

    # idem for the index of the month's sales (IF NOT EXISTS: kept when installed)
    env.cr.execute(exposure_index_sql(*SALES_INDEX))
    dates = month_end_dates(fields.Date.context_today(Snapshot), SNAPSHOT_MONTHS + 1)[:-1]
    started = time.perf_counter()
    Snapshot.search([("company_id", "=", company.id), ("date", "in", dates)]).unlink()
    figures = Snapshot._month_figures(company, dates)
    Snapshot.create(
        [
            {
                "company_id": company.id,
                "date": day,
                "amount_owed": owed,
                "amount_overdue": overdue,
                "amount_sales": sales,
            }
            for day, (owed, overdue, sales) in figures.items()
        ]
    )
    env.flush_all()
    return time.perf_counter() - started


def dashboard(env, ctx):
    """The dashboard call, and its parts."""
    from odoo import fields  # noqa: PLC0415

    company = env.company
    snapshot_seconds = _take_snapshots(env, company)
    Dashboard = env["customer.credit.dashboard"]
    runs = max(3, int(ctx.get("batch_runs") or 7))
    today = fields.Date.context_today(Dashboard)

    def fresh(_i):
        env.invalidate_all()

    whole = ctx["timeit"](lambda i: Dashboard.get_dashboard_data(), runs, setup=fresh)
    exposure = ctx["timeit"](lambda i: Dashboard._exposures(company, today), runs, setup=fresh)
    terms = ctx["timeit"](lambda i: Dashboard._customer_terms(), runs, setup=fresh)
    # the "over limit" search of the customer list (362 ms on a quiet machine, see the
    # table at the top of docs/benchmarks.md): how loaded the machine was during the run
    Partner = env["res.partner"]
    over_limit = ctx["timeit"](
        lambda i: Partner.search_count([("credit_over_limit", "=", True)]), runs, setup=fresh
    )
    data = Dashboard.get_dashboard_data()
    figures = {f["key"]: f["value"] for f in data["figures"]}
    return {
        "get_dashboard_data": whole,
        "part_exposure_all_customers": exposure,
        "part_customer_terms": terms,
        "load_gauge_over_limit_search": over_limit,
        "snapshots_taken_ms": round(snapshot_seconds * 1000.0, 1),
        "target_ms": 1000,
        "met": whole["median_ms"] <= 1000,
        "figures": figures,
        "months_overdue": [round(v, 2) for v in data["charts"]["months"]["overdue"]],
    }


BENCHMARKS = [dashboard]
