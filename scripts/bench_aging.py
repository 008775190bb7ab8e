"""Receivable aging benchmarks (issue 6), loaded by scripts/bench.py.

Each function gets ``env`` (admin, bench company) and ``ctx`` (see bench.py) and
returns a dict of figures. Targets on the 1M-line ledger: summary as of today
<= 3 s, as of a past date <= 10 s, XLSX for 20,000 customers <= 15 s and
<= 200 MB peak memory growth. The baseline aggregates the same figures through
the ORM's ``_read_group`` (as of today only: the ORM has no historical residual).
"""

import datetime
import os
import resource
import tempfile
import time
import tracemalloc

RECEIVABLE = [("account_id.account_type", "=", "asset_receivable"), ("parent_state", "=", "posted")]


def _runs(ctx):
    return max(1, int(ctx.get("batch_runs") or 3))


def _report(env, ctx, as_of, **values):
    return env["customer.credit.aging.report"].create(
        {"date_as_of": as_of, "company_ids": [(6, 0, [ctx["company"]])], **values}
    )


def _figures(env, report):
    summary = report._summary_by_company()
    return {
        "customers": sum(b["customer_count"] for b in summary),
        "open_items": sum(b["item_count"] for b in summary),
        "total": round(sum(b["total"] for b in summary), 2),
    }


def _residual_total(env, ctx):
    env.flush_all()
    env.cr.execute(
        """
        SELECT COALESCE(SUM(aml.amount_residual), 0)
          FROM account_move_line aml
          JOIN account_account a ON a.id = aml.account_id
         WHERE a.account_type = 'asset_receivable' AND aml.parent_state = 'posted'
           AND aml.company_id = %s
        """,
        [ctx["company"]],
    )
    return round(float(env.cr.fetchone()[0]), 2)


def _past_date(env, ctx):
    """Midway between the oldest and the newest receivable line: a real past date
    with a large share of the ledger settled since."""
    env.cr.execute(
        """
        SELECT MIN(aml.date), MAX(aml.date)
          FROM account_move_line aml
          JOIN account_account a ON a.id = aml.account_id
         WHERE a.account_type = 'asset_receivable' AND aml.parent_state = 'posted'
           AND aml.company_id = %s
        """,
        [ctx["company"]],
    )
    low, high = env.cr.fetchone()
    today = datetime.date.today()
    if not low:
        return today - datetime.timedelta(days=90)
    high = min(high, today)
    return low + (high - low) / 2


def bench_aging_summary_today(env, ctx):
    """Aging of every customer as of today (customer rows written; the item rows
    are written on first use, see ``bench_aging_items``)."""
    report = _report(env, ctx, datetime.date.today())
    timing = ctx["timeit"](lambda i: report._run_aging(), _runs(ctx))
    figures = _figures(env, report)
    residual = _residual_total(env, ctx)
    return {
        **timing,
        **figures,
        "residual_total": residual,
        "equals_residual": abs(figures["total"] - residual) < 0.005,
        "target_ms": 3000,
    }


def bench_aging_summary_past(env, ctx):
    """Aging of every customer as of a past date (historical reconstruction)."""
    as_of = _past_date(env, ctx)
    report = _report(env, ctx, as_of)
    timing = ctx["timeit"](lambda i: report._run_aging(), _runs(ctx))
    return {**timing, **_figures(env, report), "as_of": str(as_of), "target_ms": 10000}


def _first_use(report):
    """Forget the run's item rows: the next drill-down / export writes them again."""
    report.items_computed_on = False


def bench_aging_items(env, ctx):
    """First drill-down after an as-of-today summary: the item rows written (once)."""
    report = _report(env, ctx, datetime.date.today())
    report._run_aging()

    def run(_i):
        _first_use(report)
        report._ensure_items()

    timing = ctx["timeit"](run, _runs(ctx))
    return {**timing, **_figures(env, report)}


def _status_kb(field):
    """A memory figure of this process from /proc/self/status (kB), None if absent."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def bench_aging_xlsx(env, ctx):
    """XLSX (summary + detail) of every customer as of today: time and memory.
    Each run is a first export after the summary: no item rows written yet, the
    detail sheet is streamed from the aging query."""
    report = _report(env, ctx, datetime.date.today())
    report._run_aging()
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="bench_aging_")
    os.close(handle)

    def run(_i):
        _first_use(report)
        report._write_xlsx(path)

    try:
        timing = ctx["timeit"](run, _runs(ctx))
        size = os.path.getsize(path)
        # memory: Python allocations (tracemalloc) and the process high-water mark
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        rss_start = _status_kb("VmRSS")
        try:  # reset the peak RSS (VmHWM) to the current RSS (Linux >= 4.0)
            with open("/proc/self/clear_refs", "w") as clear_refs:
                clear_refs.write("5")
        except OSError:
            pass
        _first_use(report)
        report._write_xlsx(path)
        rss_peak = _status_kb("VmHWM")
        tracemalloc.start()
        started = time.perf_counter()
        _first_use(report)
        report._write_xlsx(path)
        traced_ms = (time.perf_counter() - started) * 1000.0
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    finally:
        os.unlink(path)
    return {
        **timing,
        **_figures(env, report),
        "file_mb": round(size / 2**20, 2),
        "peak_alloc_mb": round(peak / 2**20, 1),
        "maxrss_growth_mb": round((rss_after - rss_before) / 1024, 1),
        "rss_at_start_mb": round((rss_start or 0) / 1024, 1),
        "peak_rss_during_export_mb": round((rss_peak or 0) / 1024, 1),
        "traced_run_ms": round(traced_ms, 1),
        "target_ms": 15000,
        "target_peak_mb": 200,
    }


def bench_aging_baseline_read_group(env, ctx):
    """Baseline: the same as-of-today aggregation through ``account.move.line._read_group``,
    one call per bucket on date_maturity ranges, grouped by partner."""
    today = datetime.date.today()
    days = datetime.timedelta
    ranges = [
        [("date_maturity", ">=", today)],
        [("date_maturity", "<", today), ("date_maturity", ">=", today - days(30))],
        [("date_maturity", "<", today - days(30)), ("date_maturity", ">=", today - days(60))],
        [("date_maturity", "<", today - days(60)), ("date_maturity", ">=", today - days(90))],
        [("date_maturity", "<", today - days(90)), ("date_maturity", ">=", today - days(120))],
        [("date_maturity", "<", today - days(120))],
    ]
    Line = env["account.move.line"]
    base = [*RECEIVABLE, ("company_id", "=", ctx["company"]), ("reconciled", "=", False)]
    result = {}

    def run(_i):
        result.clear()
        for index, bucket in enumerate(ranges):
            for partner, amount in Line._read_group(
                [*base, *bucket], ["partner_id"], ["amount_residual:sum"]
            ):
                result.setdefault(partner.id, [0.0] * len(ranges))[index] += amount

    timing = ctx["timeit"](run, _runs(ctx))
    return {
        **timing,
        "customers": len(result),
        "total": round(sum(sum(v) for v in result.values()), 2),
        "note": "ORM, as of today only, no commercial-partner merge, lines without due date missed",
    }


BENCHMARKS = [
    bench_aging_summary_today,
    bench_aging_summary_past,
    bench_aging_items,
    bench_aging_xlsx,
    bench_aging_baseline_read_group,
]
