"""Benchmarks of the sales credit control, run by ``make bench`` (scripts/bench.py).

- ``bench_confirm_credit_check``: one quotation confirmation for a customer with the
  largest ledger of the bench data, with credit control on, against the same
  confirmation with credit control switched off for the company (the baseline), in
  the same run, the two alternating run by run. Each run is rolled back (savepoint),
  so every run confirms the same quotation against the same ledger. Target: the check adds <= 20 ms median.
- ``bench_race_confirm``: scripts/race_confirm.py, two transactions confirming at the
  same moment; exactly one must pass. ``bench_race_confirm_members``: the same for two
  customers of one credit group whose group limit admits one of the orders. It commits its own data from its own cursors
  and removes it afterwards.
"""

import statistics
import time

# odoo is imported inside the functions: scripts/bench.py loads the plug-ins before it
# boots Odoo.
try:  # imported by scripts/bench.py as a file or as a package module
    from .race_confirm import run_race_any
except ImportError:  # pragma: no cover
    from race_confirm import run_race_any

TARGET_ADDED_MS = 20.0
RUNS = 30


def _company(env, ctx):
    company = ctx.get("company") or env.company
    return env["res.company"].browse(getattr(company, "id", company))


class _Rollback(Exception):
    pass


def _busiest_partner(env, company, partner_ids):
    """Commercial partner with the most receivable lines among ``partner_ids``."""
    if not partner_ids:
        return env["res.partner"].search([("customer_rank", ">", 0)], limit=1)
    env.cr.execute(
        """
        SELECT rp.commercial_partner_id, COUNT(*)
          FROM account_move_line aml
          JOIN res_partner rp ON rp.id = aml.partner_id
         WHERE aml.company_id = %s AND rp.commercial_partner_id = ANY(%s)
         GROUP BY 1 ORDER BY 2 DESC LIMIT 1
        """,
        (company.id, list(partner_ids)),
    )
    row = env.cr.fetchone()
    return env["res.partner"].browse(row[0] if row else partner_ids[0])


def bench_confirm_credit_check(env, ctx):
    from odoo import Command  # noqa: PLC0415

    env = env(su=True)
    company = _company(env, ctx)
    env = env(context=dict(env.context, allowed_company_ids=company.ids))
    partner = _busiest_partner(env, company, list(ctx.get("partner_ids") or []))
    runs = ctx.get("runs") or RUNS
    result = {"partner_id": partner.id, "runs": runs, "target_added_ms": TARGET_ADDED_MS}
    try:
        with env.cr.savepoint():
            product = env["product.product"].create(
                {"name": "Bench Credit Widget", "list_price": 100.0, "taxes_id": [Command.clear()]}
            )
            order = env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "price_unit": 100.0,
                                "tax_id": [Command.clear()],
                            }
                        )
                    ],
                }
            )
            commercial = partner.commercial_partner_id.with_company(company)
            exposure = commercial.credit_exposure
            # The full check runs and passes: block policy, a limit above the exposure,
            # overdue debt tolerated, no blocking grade (the bench ledger is mostly overdue).
            company.credit_overdue_tolerance_days = 100000
            commercial.write(
                {
                    "credit_grade_id": False,
                    "credit_control_policy": "block",
                    "credit_limit": exposure + 1_000_000.0,
                    "credit_hold": False,
                }
            )
            result["exposure"] = round(exposure, 2)

            # Confirm as the administrator without superuser mode, as a user's RPC call
            # would: the integrity guards (workflow fields, confirmation token, release
            # fingerprints) run as they do for every user.
            user_order = order.with_env(env(su=False))

            def confirm_once(_i=None, record=user_order):
                try:
                    with env.cr.savepoint():
                        record.action_confirm()
                        env.flush_all()
                        raise _Rollback
                except _Rollback:
                    pass
                env.invalidate_all()

            def confirm_as_superuser(_i=None):
                confirm_once(record=order)

            # Control off and on alternate run by run (the first one alternating too), so
            # that the load of the shared machine weighs alike on both: the added time is
            # the median of the paired differences. The figures of issue 3 were taken in
            # superuser mode: kept, for comparison.
            for mode, fn in (("", confirm_once), ("superuser_", confirm_as_superuser)):
                samples = {False: [], True: []}
                for i in range(-1, runs):  # -1: warm-up of both
                    for enabled in (False, True) if i % 2 else (True, False):
                        company.credit_control_enabled = enabled
                        env.flush_all()
                        started = time.perf_counter()
                        fn()
                        elapsed = (time.perf_counter() - started) * 1000.0
                        if i >= 0:
                            samples[enabled].append(elapsed)
                result[f"{mode}baseline"] = ctx["summarize"](samples[False])
                result[f"{mode}credit_check"] = ctx["summarize"](samples[True])
                result[f"{mode}added_paired_median_ms"] = round(
                    statistics.median(
                        on - off for on, off in zip(samples[True], samples[False], strict=True)
                    ),
                    2,
                )
            raise _Rollback
    except _Rollback:
        pass
    env.invalidate_all()
    added = result["credit_check"]["median_ms"] - result["baseline"]["median_ms"]
    result["added_median_ms"] = round(added, 2)
    result["superuser_added_median_ms"] = round(
        result["superuser_credit_check"]["median_ms"] - result["superuser_baseline"]["median_ms"],
        2,
    )
    result["ratio_vs_baseline"] = round(
        result["credit_check"]["median_ms"] / result["baseline"]["median_ms"], 3
    )
    result["ok"] = added <= TARGET_ADDED_MS
    if ctx.get("log"):
        ctx["log"](
            f"one confirmation, median of {result['credit_check']['runs']} runs: "
            f"{result['credit_check']['median_ms']:.1f} ms with the credit check, "
            f"{result['baseline']['median_ms']:.1f} ms with control off: added "
            f"{added:+.1f} ms, median of the paired differences "
            f"{result['added_paired_median_ms']:+.1f} ms (ratio {result['ratio_vs_baseline']}; "
            f"target <= {TARGET_ADDED_MS:g} ms added)"
        )
    return result


def bench_race_confirm(env, ctx):
    from odoo.tools import config  # noqa: PLC0415

    company = _company(env, ctx)
    conf = ctx.get("conf") or config.rcfile
    report = run_race_any(ctx["registry"], conf, hold=0.5, company_id=company.id)
    return {
        "passed": report["passed"],
        "blocked": report["blocked"],
        "ok": report["ok"],
        "results": report["results"],
    }


def bench_race_confirm_members(env, ctx):
    """The race of two members of one credit group whose limit admits one order."""
    from odoo.tools import config  # noqa: PLC0415

    company = _company(env, ctx)
    conf = ctx.get("conf") or config.rcfile
    report = run_race_any(ctx["registry"], conf, hold=0.5, company_id=company.id, members=True)
    return {
        "passed": report["passed"],
        "blocked": report["blocked"],
        "ok": report["ok"],
        "results": report["results"],
    }


QUOTATIONS = 100_000


def _insert_quotations(env, company, partner_ids, count):
    """``count`` open quotations (draft or sent, one line each) spread over the
    customers, inserted in SQL in the benchmark's own (rolled back) transaction."""
    from odoo.tools import SQL  # noqa: PLC0415

    try:  # imported by scripts/bench.py as a file or as a package module
        from .bench_data import insert_orders
    except ImportError:  # pragma: no cover
        from bench_data import insert_orders

    product = env["product.product"].search([("name", "=", "Bench Consulting")], limit=1)
    insert_orders(
        env.cr,
        SQL(
            """
            SELECT 'SQ' || g, (%(partners)s)[1 + mod(g * 7919, cardinality(%(partners)s))],
                   CASE WHEN mod(g, 4) = 0 THEN 'sent' ELSE 'draft' END,
                   now() AT TIME ZONE 'UTC', 1 + floor(random() * 10)::int,
                   round((50 + random() * 1500)::numeric, 2)
              FROM generate_series(1, %(count)s) g
            """,
            partners=list(partner_ids),
            count=count,
        ),
        company_id=company.id,
        currency_id=company.currency_id.id,
        uid=env.uid,
        product_id=product.id,
        uom_id=product.uom_id.id,
    )
    env.cr.execute("ANALYZE sale_order; ANALYZE sale_order_line")


def bench_quotation_filters(env, ctx):
    """The "Credit Blocked" / "Credit Warning" filters of the quotations with 100,000
    open quotations (customers under 'block', every third one under 'warn'), against
    the previous search (every open quotation evaluated in Python) in the same run,
    whose verdicts must equal the SQL's for every quotation."""
    log = ctx["log"]
    company = _company(env, ctx)
    count = int(ctx.get("quotations") or QUOTATIONS)
    env.cr.execute(
        "SELECT id FROM res_partner WHERE is_company AND commercial_partner_id = id"
        " AND name LIKE 'Bench Customer %%' ORDER BY id"
    )
    customers = [row[0] for row in env.cr.fetchall()]
    company.sudo().write({"credit_control_enabled": True, "credit_policy_default": "block"})
    env.cr.execute(
        "UPDATE res_partner SET credit_control_policy = jsonb_build_object(%s, 'warn')"
        " WHERE id = ANY(%s) AND mod(id, 3) = 0",
        (str(company.id), customers),
    )
    env.invalidate_all()
    started = time.perf_counter()
    _insert_quotations(env, company, customers, count)
    log(f"  {count} open quotations inserted ({time.perf_counter() - started:.1f}s)")
    SaleOrder = env["sale.order"]
    result = {"quotations": count, "customers": len(customers)}
    for state in ("blocked", "warning"):

        def search(_i, state=state):
            env.invalidate_all()
            return SaleOrder.search([("credit_check_state", "=", state)])

        result[f"search_{state}"] = ctx["timeit"](search, ctx.get("batch_runs") or 5)
        result[f"{state}_count"] = len(search(0))
    sql = dict(SaleOrder._credit_quotation_outcomes())
    # the previous search: every open quotation through the check in Python
    env.invalidate_all()
    started = time.perf_counter()
    quotations = SaleOrder.search([("state", "in", ("draft", "sent"))])
    verdicts = quotations._credit_evaluate(raise_missing_rate=False)
    result["baseline_python_ms"] = round((time.perf_counter() - started) * 1000, 1)
    result["mismatches"] = sum(
        1 for order in quotations if sql.get(order.id) != verdicts[order].outcome
    )
    result["outcomes"] = {
        state: sum(1 for outcome in sql.values() if outcome == state)
        for state in ("none", "ok", "warning", "blocked")
    }
    return result


BENCHMARKS = [
    bench_confirm_credit_check,
    bench_race_confirm,
    bench_race_confirm_members,
    bench_quotation_filters,
]
