"""Benchmarks of the credit decision ledger (customer.credit.decision), run by
``make bench`` (scripts/bench.py, e.g. ``BENCH_ARGS="--only bench_decision_append,..."``).

- ``bench_decision_append``: one ``_record`` call (advisory lock, head row update,
  hash, insert) in the bench company, rolled back. Target: median <= 2 ms.
- ``bench_decision_concurrent``: 200 appends from 8 threads, each with its own
  registry cursor (a PostgreSQL connection) and one transaction per append, retried
  on ``SerializationFailure`` as Odoo retries a request; then ``_verify_chain`` must
  find the chain valid with 200 rows. Commits into a dedicated company, "Bench
  Decision Ledger", whose rows are reset by SQL at the start of each run (bench
  database only: the ledger itself refuses any deletion).
- ``bench_decision_verify_million``: 1,000,000 decisions loaded by COPY (hashes
  computed in Python in batches) into a new company, then ``_verify_chain`` timed,
  with the peak RSS of the verification (VmHWM reset through /proc/self/clear_refs).
  Target: <= 60 s, constant memory. Rolled back afterwards.
"""

import io
import threading
import time

TARGET_APPEND_MS = 2.0
TARGET_VERIFY_S = 60.0
CONCURRENT_THREADS = 8
CONCURRENT_APPENDS = 200
MILLION = 1_000_000
LOAD_BATCH = 20_000
BENCH_COMPANY = "Bench Decision Ledger"


def _company(env, ctx):
    company = ctx.get("company") or env.company
    return env["res.company"].browse(getattr(company, "id", company))


def _partner(env, ctx):
    ids = ctx.get("partner_ids") or env["res.partner"].search([], limit=1).ids
    return env["res.partner"].browse(ids[0])


def bench_decision_append(env, ctx):
    company = _company(env, ctx)
    partner = _partner(env, ctx)
    Decision = env["customer.credit.decision"]
    source = env["res.partner"].browse(partner.id)

    def append(i):
        Decision._record(
            "limit",
            partner,
            company,
            old=1000 * i,
            new=1000 * (i + 1),
            comment="bench",
            source=source,
        )

    runs = max(ctx.get("runs") or 30, 200)
    timing = ctx["timeit"](append, runs, warmup=5)
    valid = not Decision._verify_chain(company)
    return dict(
        timing,
        target_ms=TARGET_APPEND_MS,
        chain_valid=valid,
        ok=timing["median_ms"] <= TARGET_APPEND_MS and valid,
    )


def _bench_ledger_company(registry):
    """The committed company of the concurrent benchmark, its ledger emptied."""
    from odoo import SUPERUSER_ID  # noqa: PLC0415
    from odoo import api  # noqa: PLC0415

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env["res.company"].search([("name", "=", BENCH_COMPANY)], limit=1)
        if not company:
            company = env["res.company"].create({"name": BENCH_COMPANY})
        # A bench reset, not a ledger operation: the model refuses any deletion.
        cr.execute("DELETE FROM customer_credit_decision WHERE company_id = %s", [company.id])
        cr.execute("DELETE FROM customer_credit_decision_head WHERE company_id = %s", [company.id])
        return company.id


def bench_decision_concurrent(env, ctx):
    import psycopg2.errors  # noqa: PLC0415

    from odoo import SUPERUSER_ID  # noqa: PLC0415
    from odoo import api  # noqa: PLC0415

    registry = ctx["registry"]
    company_id = _bench_ledger_company(registry)
    partner_id = _partner(env, ctx).id
    per_thread = CONCURRENT_APPENDS // CONCURRENT_THREADS
    barrier = threading.Barrier(CONCURRENT_THREADS)
    stats = {"retries": 0, "errors": []}
    lock = threading.Lock()

    def worker(n):
        barrier.wait()
        for i in range(per_thread):
            while True:
                try:
                    with registry.cursor() as cr:
                        wenv = api.Environment(cr, SUPERUSER_ID, {})
                        wenv["customer.credit.decision"]._record(
                            "hold",
                            wenv["res.partner"].browse(partner_id),
                            wenv["res.company"].browse(company_id),
                            old=False,
                            new=True,
                            comment=f"thread {n} append {i}",
                        )
                    break
                except psycopg2.errors.SerializationFailure:
                    with lock:
                        stats["retries"] += 1
                except Exception as exc:  # noqa: BLE001 - reported in the figures
                    with lock:
                        stats["errors"].append(repr(exc))
                    break

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(CONCURRENT_THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    with registry.cursor() as cr:
        venv = api.Environment(cr, SUPERUSER_ID, {})
        company = venv["res.company"].browse(company_id)
        check = venv["customer.credit.decision"]._check_chain(company)
        cr.execute(
            "SELECT count(*), min(sequence), max(sequence) FROM customer_credit_decision "
            "WHERE company_id = %s",
            [company_id],
        )
        count, first, last = cr.fetchone()
    return {
        "threads": CONCURRENT_THREADS,
        "appends": CONCURRENT_APPENDS,
        "seconds": round(seconds, 2),
        "appends_per_s": round(CONCURRENT_APPENDS / seconds, 1),
        "serialization_retries": stats["retries"],
        "errors": stats["errors"][:5],
        "rows": count,
        "sequences": [first, last],
        "chain_valid": check.ok,
        "ok": check.ok and count == CONCURRENT_APPENDS and not stats["errors"],
    }


def _rss_kb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def _load_million(env, company, partner_ids, log):
    """COPY MILLION decisions into ``company``'s chain, hashes computed in Python."""
    from odoo.addons.customer_credit.tools.decision_chain import GENESIS_HASH  # noqa: PLC0415
    from odoo.addons.customer_credit.tools.decision_chain import decision_hash  # noqa: PLC0415

    cr = env.cr
    columns = (
        "sequence company_id date user_id partner_id kind old_value new_value comment "
        "res_model res_id reference previous_hash hash create_uid create_date write_uid "
        "write_date"
    ).split()
    kinds = ["limit", "grade", "hold", "hold_lifted", "release_approved", "warn_confirmed"]
    date = "2026-01-01 09:00:00"
    uid = env.uid
    previous = GENESIS_HASH
    sequence = 0
    while sequence < MILLION:
        buffer = io.StringIO()
        for _ in range(min(LOAD_BATCH, MILLION - sequence)):
            sequence += 1
            values = {
                "sequence": sequence,
                "company_id": company.id,
                "date": date,
                "user_id": uid,
                "partner_id": partner_ids[sequence % len(partner_ids)],
                "kind": kinds[sequence % len(kinds)],
                "old_value": str(sequence * 10),
                "new_value": str(sequence * 10 + 5),
                "comment": "授信复核 bench",
                "res_model": "res.partner",
                "res_id": partner_ids[sequence % len(partner_ids)],
                "reference": f"Bench Customer {sequence % 1000}",
            }
            values["previous_hash"] = previous
            values["hash"] = previous = decision_hash(previous, values)
            values.update(create_uid=uid, create_date=date, write_uid=uid, write_date=date)
            buffer.write("\t".join(str(values[c]) if values[c] != "" else "" for c in columns))
            buffer.write("\n")
        buffer.seek(0)
        cr._obj.copy_from(buffer, "customer_credit_decision", columns=columns, null="\\N")
        if sequence % 200_000 == 0:
            log(f"  loaded {sequence} decisions")
    cr.execute(
        "INSERT INTO customer_credit_decision_head (company_id, last_sequence, last_hash) "
        "VALUES (%s, %s, %s) ON CONFLICT (company_id) DO UPDATE "
        "SET last_sequence = EXCLUDED.last_sequence, last_hash = EXCLUDED.last_hash",
        [company.id, sequence, previous],
    )


def bench_decision_verify_million(env, ctx):
    log = ctx.get("log") or (lambda msg: None)
    env = env(su=True)
    company = env["res.company"].create({"name": "Bench Decision Million"})
    partner_ids = list(ctx.get("partner_ids") or env["res.partner"].search([], limit=100).ids)
    started = time.perf_counter()
    _load_million(env, company, partner_ids, log)
    env.cr.execute("ANALYZE customer_credit_decision")
    load_s = time.perf_counter() - started
    log(f"  loaded in {load_s:.1f} s; verifying")
    Decision = env["customer.credit.decision"]
    rss_before = _rss_kb("VmRSS")
    try:  # reset the peak RSS (VmHWM) to the current RSS: Linux >= 4.0
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        peak_reset = True
    except OSError:
        peak_reset = False
    started = time.perf_counter()
    check = Decision._check_chain(company)
    verify_s = time.perf_counter() - started
    peak = _rss_kb("VmHWM")
    return {
        "rows": check.count,
        "load_s": round(load_s, 1),
        "verify_s": round(verify_s, 1),
        "rows_per_s": round(check.count / verify_s),
        "rss_before_mb": round(rss_before / 1024, 1),
        "peak_rss_during_verify_mb": round(peak / 1024, 1),
        "peak_rss_growth_mb": round((peak - rss_before) / 1024, 1) if peak_reset else None,
        "peak_reset": peak_reset,
        "chain_valid": check.ok,
        "target_s": TARGET_VERIFY_S,
        "ok": check.ok and check.count == MILLION and verify_s <= TARGET_VERIFY_S,
    }


BENCHMARKS = [bench_decision_append, bench_decision_concurrent, bench_decision_verify_million]
