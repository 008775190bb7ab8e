"""Foundation figures: credit exposure against Odoo's native credit fields.

- ``exposure_one_customer``: one random customer per run, with a fresh cache:
  ``partner._credit_exposure_by_partner()`` (the SQL), reading ``credit_exposure``
  through the ORM (SQL + limit, status...: issue 11, target <= 5 ms), reading all the
  exposure fields of the Credit tab, and the baseline: Odoo's ``credit`` +
  ``credit_to_invoice`` for the same customers; the variants are interleaved;
- ``exposure_batch``: the same for a batch of 1,000 customers;
- ``over_limit_search``: ``search([('credit_over_limit', '=', True)])`` across all
  customers, with the native ``search([('credit', '>', x)])`` as baseline.

``credit_to_invoice`` is only computed when the company uses credit limits: the
baseline sets ``account_use_credit_limit`` in the benchmark's transaction, which the
harness rolls back.
"""


def _ratio(ours, baseline):
    return round(ours["median_ms"] / baseline["median_ms"], 3) if baseline["median_ms"] else None


def _enable_native_credit_limit(env):
    company = env["res.company"].browse(env.company.id).sudo()
    company.account_use_credit_limit = True
    env.flush_all()


# What the partner form's Credit tab shows of the exposure: all filled by one compute.
CREDIT_TAB_FIELDS = (
    "credit_receivable_not_due",
    "credit_overdue",
    "credit_overdue_days_max",
    "credit_unapplied",
    "credit_draft_invoices",
    "credit_orders_uninvoiced",
    "credit_exposure",
    "credit_available",
    "credit_utilization",
    "credit_over_limit",
    "credit_status",
)
# Issue 11: one customer's exposure read through the ORM from an empty cache.
TARGET_ORM_FIELD_MS = 5.0


def _time_interleaved(env, variants, partner_ids, ctx):
    """Time each variant once per customer, from an empty cache, in turn.

    Run i times every variant on customer i, starting with a different variant each
    run, so that the load of the (shared) machine weighs alike on all of them and the
    ratios compare like with like. One untimed warm-up pass first. Returns
    ({name: figures}, {name: SQL queries of the last call}).
    """
    import time  # noqa: PLC0415

    names = list(variants)
    samples = {name: [] for name in names}
    queries = {}
    for i in range(-1, len(partner_ids)):
        partner = env["res.partner"].browse(partner_ids[max(i, 0)])
        for k in range(len(names)):
            name = names[(i + k) % len(names)]
            env.invalidate_all()
            count = env.cr.sql_log_count
            started = time.perf_counter()
            variants[name](partner)
            elapsed = (time.perf_counter() - started) * 1000.0
            queries[name] = env.cr.sql_log_count - count  # the last run's
            if i >= 0:
                samples[name].append(elapsed)
    return {name: ctx["summarize"](samples[name]) for name in names}, queries


def exposure_one_customer(env, ctx):
    """One customer (a different one each run), every figure from an empty cache:
    the exposure SQL alone, ``credit_exposure`` read through the ORM (issue 11: what a
    form or the banner costs), all the Credit tab's exposure fields, and the baseline
    named in docs/benchmarks.md: Odoo's ``credit`` + ``credit_to_invoice``."""
    _enable_native_credit_limit(env)
    variants = {
        "ours_sql_method": lambda p: p._credit_exposure_by_partner(),
        "ours_orm_field": lambda p: p.credit_exposure,
        "ours_orm_credit_tab": lambda p: [p[name] for name in CREDIT_TAB_FIELDS],
        "baseline_native_credit_and_to_invoice": lambda p: (p.credit, p.credit_to_invoice),
    }
    figures, queries = _time_interleaved(env, variants, ctx["single_ids"], ctx)
    method = figures["ours_sql_method"]
    field = figures["ours_orm_field"]
    baseline = figures["baseline_native_credit_and_to_invoice"]
    result = dict(figures)
    result.update(
        queries_per_call=queries,
        ratio_sql_method_vs_baseline=_ratio(method, baseline),
        ratio_orm_field_vs_baseline=_ratio(field, baseline),
        ratio_orm_field_vs_sql_method=_ratio(field, method),
        ratio_orm_credit_tab_vs_sql_method=_ratio(figures["ours_orm_credit_tab"], method),
        target_median_ms=10,
        target_met=method["median_ms"] <= 10,
        issue11_target_orm_field_median_ms=TARGET_ORM_FIELD_MS,
        issue11_target_orm_field_met=field["median_ms"] <= TARGET_ORM_FIELD_MS,
    )
    ctx["log"](
        f"one customer from an empty cache, median of {field['runs']} runs: ORM read "
        f"{field['median_ms']:.2f} ms ({queries['ours_orm_field']} queries; target "
        f"<= {TARGET_ORM_FIELD_MS:g} ms), SQL alone {method['median_ms']:.2f} ms "
        f"(ratio {result['ratio_orm_field_vs_sql_method']}), native baseline "
        f"{baseline['median_ms']:.2f} ms (ratio {result['ratio_orm_field_vs_baseline']})"
    )
    return result


def exposure_batch(env, ctx):
    _enable_native_credit_limit(env)
    partners = env["res.partner"].browse(ctx["partner_ids"])
    runs = ctx["batch_runs"]
    timeit = ctx["timeit"]

    def fresh(_i):
        env.invalidate_all()

    method = timeit(lambda i: partners._credit_exposure_by_partner(), runs, setup=fresh)
    field = timeit(lambda i: partners.mapped("credit_exposure"), runs, setup=fresh)
    baseline = timeit(
        lambda i: (partners.mapped("credit"), partners.mapped("credit_to_invoice")),
        runs,
        setup=fresh,
    )
    return {
        "batch_size": len(partners),
        "ours_sql_method": method,
        "ours_orm_field": field,
        "baseline_native_credit_and_to_invoice": baseline,
        "ratio_sql_method_vs_baseline": _ratio(method, baseline),
        "ratio_orm_field_vs_baseline": _ratio(field, baseline),
    }


def over_limit_search(env, ctx):
    Partner = env["res.partner"]
    runs = ctx["batch_runs"]
    timeit = ctx["timeit"]
    found = {}

    def fresh(_i):
        env.invalidate_all()

    def ours(_i):
        found["over_limit"] = len(Partner.search([("credit_over_limit", "=", True)]))

    def native(_i):
        found["credit_gt_10000"] = len(Partner.search([("credit", ">", 10000)]))

    search = timeit(ours, runs, setup=fresh)
    baseline = timeit(native, runs, setup=fresh)
    companies = Partner.search_count([("is_company", "=", True), ("customer_rank", ">", 0)])
    return {
        "ours_over_limit_search": search,
        "partners_found": found["over_limit"],
        "customers": companies,
        "baseline_native_credit_search": baseline,
        "baseline_partners_found": found["credit_gt_10000"],
        "ratio_vs_baseline": _ratio(search, baseline),
        "target_median_ms": 500,
        "target_met": search["median_ms"] <= 500,
    }


BENCHMARKS = [exposure_one_customer, exposure_batch, over_limit_search]
