"""Foundation figures: credit exposure against Odoo's native credit fields.

- ``exposure_one_customer``: one random customer per run, with a fresh cache:
  ``partner._credit_exposure_by_partner()`` (the SQL), reading ``credit_exposure``
  through the ORM (SQL + limit, status...), and the baseline: Odoo's ``credit`` +
  ``credit_to_invoice`` for the same customers;
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


def exposure_one_customer(env, ctx):
    _enable_native_credit_limit(env)
    Partner = env["res.partner"]
    singles = ctx["single_ids"]
    runs = len(singles)
    timeit = ctx["timeit"]

    def partner(i):
        return Partner.browse(singles[i % runs])

    def fresh(_i):
        env.invalidate_all()

    method = timeit(lambda i: partner(i)._credit_exposure_by_partner(), runs, setup=fresh)
    field = timeit(lambda i: partner(i).credit_exposure, runs, setup=fresh)
    baseline = timeit(
        lambda i: (partner(i).credit, partner(i).credit_to_invoice), runs, setup=fresh
    )
    return {
        "ours_sql_method": method,
        "ours_orm_field": field,
        "baseline_native_credit_and_to_invoice": baseline,
        "ratio_sql_method_vs_baseline": _ratio(method, baseline),
        "ratio_orm_field_vs_baseline": _ratio(field, baseline),
        "target_median_ms": 10,
        "target_met": method["median_ms"] <= 10 and field["median_ms"] <= 10,
    }


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
