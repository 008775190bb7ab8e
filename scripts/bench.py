#!/usr/bin/env python3
"""Benchmark harness of customer_credit: ``make bench [BENCH_ARGS="..."]``.

Boots Odoo in-process on a dedicated database (``credit_bench`` by default). When the
database is missing, or holds no generated ledger, it installs customer_credit without
demo data and generates the ledger in bulk SQL (scripts/bench_data.py); later runs reuse
it (``--regenerate`` rebuilds it). It then checks that the ledger is coherent (SQL
checks and Odoo's own computations on a sample) and runs the benchmarks.

Benchmarks are plug-ins: every module ``scripts/bench_*.py`` (except bench_data.py) that
defines ``BENCHMARKS``, a list of callables ``fn(env, ctx) -> dict``, is loaded. Each
callable runs in its own cursor, as the admin user in the bench company, and the cursor
is rolled back afterwards (a benchmark that must commit calls ``env.cr.commit()``
itself). ``ctx`` holds:

- ``company`` (id of the bench company), ``uid``, ``dbname``, ``conf``, ``registry``;
- ``partner_ids``: 1,000 random bench customers (commercial partners, fixed seed);
- ``single_ids``: ``--runs`` random bench customers, one per single-customer run;
- ``runs``, ``batch_runs``: repetitions asked on the command line;
- ``timeit(fn, runs, setup=None, warmup=1)``: calls ``fn(i)`` for i in range(runs)
  (``setup(i)`` before each call, not timed) and returns
  ``{median_ms, p90_ms, min_ms, max_ms, runs}``; ``summarize(samples)`` gives the same
  figures for samples (ms) a benchmark timed itself;
- ``log(msg)``: progress on stderr.

The result of ``fn`` is stored under its ``__name__``. Figures go to stdout as one JSON
object and to ``.local/bench-<timestamp>.json``; progress goes to stderr.
"""

import argparse
import datetime
import glob
import importlib.util
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS = os.path.join(ROOT, "scripts")


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--odoo-src", required=True, help="Odoo 18.0 source tree")
    parser.add_argument("--conf", required=True, help="odoo.conf")
    parser.add_argument("--db", default="credit_bench", help="benchmark database")
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--lines", type=int, default=1000000, help="posted receivable lines")
    parser.add_argument("--regenerate", action="store_true", help="drop and rebuild the database")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument(
        "--realtime",
        action="store_true",
        help="run this process and its database connections at real-time priority "
        "(chrt -f, root only): on a machine shared with other work, the figures then "
        "approach those of an idle machine; the report says it was used",
    )
    parser.add_argument("--runs", type=int, default=30, help="runs of single-customer figures")
    parser.add_argument("--batch-runs", type=int, default=7, help="runs of batch figures")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--skip-checks", action="store_true", help="skip the coherence checks")
    parser.add_argument("--check-sample", type=int, default=60, help="partners checked via ORM")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    return parser.parse_args(argv)


# ------------------------------------------------------------------ timing helper


def timeit(fn, runs, setup=None, warmup=1):
    """Call ``fn(i)`` ``runs`` times (``setup(i)`` untimed before each); figures in ms."""
    for i in range(warmup):
        if setup:
            setup(-1 - i)
        fn(-1 - i)
    samples = []
    for i in range(runs):
        if setup:
            setup(i)
        started = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - started) * 1000.0)
    return summarize(samples)


def summarize(samples):
    """Median, p90, min, max (ms) of timed samples in milliseconds."""
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 3),
        "p90_ms": round(ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)], 3),
        "min_ms": round(ordered[0], 3),
        "max_ms": round(ordered[-1], 3),
        "runs": len(ordered),
    }


# ------------------------------------------------------------------ plug-ins


def load_benchmarks():
    """{name: callable} from every scripts/bench_*.py defining BENCHMARKS."""
    if SCRIPTS not in sys.path:
        sys.path.insert(0, SCRIPTS)
    found = {}
    for path in sorted(glob.glob(os.path.join(SCRIPTS, "bench_*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        if name == "bench_data":
            continue
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        for fn in getattr(module, "BENCHMARKS", ()):
            if fn.__name__ in found:
                raise SystemExit(f"benchmark {fn.__name__} defined twice ({path})")
            found[fn.__name__] = fn
    return found


# ------------------------------------------------------------------ database


def boot_odoo(args):
    sys.path.insert(0, os.path.abspath(args.odoo_src))
    import odoo  # noqa: PLC0415

    odoo.tools.config.parse_config(["-c", args.conf, "--log-level=warn"])
    return odoo


def ensure_database(odoo, args):
    """Create/install/generate as needed; return (registry, ledger info, seconds spent)."""
    import bench_data  # noqa: PLC0415

    from odoo.service import db as db_service  # noqa: PLC0415

    if args.regenerate and db_service.exp_db_exist(args.db):
        log(f"dropping {args.db} (--regenerate)")
        db_service.exp_drop(args.db)
    install_seconds = None
    if not db_service.exp_db_exist(args.db) or not _module_installed(odoo, args.db):
        log(f"installing customer_credit without demo data into {args.db}")
        started = time.perf_counter()
        _odoo_bin(args, "-i", "customer_credit", "--without-demo=all")
        install_seconds = round(time.perf_counter() - started, 1)
    elif not _ledger_current(odoo, args.db):
        # the exposure ledger of this code is missing or outdated: update the module
        # (its install builds the ledger's tables from the documents)
        log(f"updating customer_credit in {args.db} (exposure ledger of an earlier version)")
        started = time.perf_counter()
        _odoo_bin(args, "-u", "customer_credit")
        log(f"  updated ({time.perf_counter() - started:.1f}s)")
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        info = bench_data.ledger_info(env)
        if not info:
            info = bench_data.generate(env, args.customers, args.lines, log=log)
        elif (info["customers"], info["requested_lines"]) != (args.customers, args.lines):
            log(
                f"{args.db} holds a ledger of {info['customers']} customers / "
                f"{info['requested_lines']} lines; reusing it (--regenerate to rebuild)"
            )
        else:
            log(f"reusing the ledger of {args.db} (generated {info['generated_at']})")
    info = dict(info, install_seconds=install_seconds)
    return registry, info


def _odoo_bin(args, *options):
    """Run odoo-bin on the benchmark database with ``options``, then stop."""
    subprocess.run(
        [
            sys.executable,
            os.path.join(args.odoo_src, "odoo-bin"),
            "-c",
            args.conf,
            "-d",
            args.db,
            *options,
            "--stop-after-init",
            "--log-level=warn",
        ],
        check=True,
    )


def _ledger_current(odoo, dbname):
    """The database's exposure ledger is the one this code defines."""
    odoo.modules.module.initialize_sys_path()
    from odoo.addons.customer_credit.tools import exposure_ledger  # noqa: PLC0415
    from odoo.addons.customer_credit.tools.credit_exposure import ledger_orders_text  # noqa: PLC0415

    wanted = exposure_ledger.version(ledger_orders_text(True), ledger_orders_text(False))
    with odoo.sql_db.db_connect(dbname).cursor() as cr:
        cr.execute(
            "SELECT obj_description(to_regclass(%s), 'pg_class')", (exposure_ledger.ENTRY_TABLE,)
        )
        return cr.fetchone()[0] == wanted


def _module_installed(odoo, dbname):
    try:
        with odoo.sql_db.db_connect(dbname).cursor() as cr:
            cr.execute(
                "SELECT 1 FROM ir_module_module WHERE name = 'customer_credit' "
                "AND state = 'installed'"
            )
            return bool(cr.fetchone())
    except Exception:  # noqa: BLE001 - a half-created database counts as missing
        return False


def machine_info(cr):
    cr.execute("SHOW server_version")
    pg = cr.fetchone()[0]
    settings = {}
    for name in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather"):
        cr.execute(f"SHOW {name}")
        settings[name] = cr.fetchone()[0]
    ram = None
    try:
        with open("/proc/meminfo") as meminfo:
            kb = int(meminfo.readline().split()[1])
            ram = round(kb / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "ram_gb": ram,
        "cpu": _cpu_model(),
        "postgresql": pg,
        "postgresql_settings": settings,
        "python": platform.python_version(),
    }


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


# ------------------------------------------------------------------ main


def set_realtime(pid):
    """SCHED_FIFO priority 10 for a process (and its threads): the benchmark and its
    PostgreSQL backend run whenever they are ready, ahead of other work on the machine."""
    subprocess.run(["chrt", "-a", "-f", "-p", "10", str(pid)], check=True)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    benchmarks = load_benchmarks()
    if args.list:
        print("\n".join(benchmarks))
        return 0
    only = [name for name in args.only.split(",") if name]
    unknown = sorted(set(only) - set(benchmarks))
    if unknown:
        raise SystemExit(
            f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(benchmarks)}"
        )
    selected = {name: fn for name, fn in benchmarks.items() if not only or name in only}

    odoo = boot_odoo(args)
    import bench_data  # noqa: PLC0415

    registry, ledger = ensure_database(odoo, args)
    api, SUPERUSER_ID = odoo.api, odoo.SUPERUSER_ID
    rng = random.Random(args.seed)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env.ref("base.main_company")
        admin = env.ref("base.user_admin")
        cr.execute(
            "SELECT id FROM res_partner WHERE is_company AND commercial_partner_id = id "
            "AND name LIKE 'Bench Customer %%' ORDER BY id"
        )
        customer_ids = [row[0] for row in cr.fetchall()]
        machine = machine_info(cr)
        dataset = bench_data.dataset_counts(env)
        checks = {}
        if not args.skip_checks:
            log("coherence checks (SQL)")
            checks["sql"] = bench_data.verify_sql(env, log=log)
            log("coherence checks (Odoo ORM on a sample)")
            sample = rng.sample(customer_ids, min(args.check_sample, len(customer_ids)))
            checks["orm"] = bench_data.verify_orm(env(user=admin.id), sample, log=log)
            checks["ok"] = not any(checks["sql"].values()) and not any(
                v for k, v in checks["orm"].items() if k.endswith("mismatches")
            )
            cr.rollback()
        cr.rollback()

    batch = rng.sample(customer_ids, min(args.batch_size, len(customer_ids)))
    singles = [rng.choice(customer_ids) for _ in range(args.runs)]
    ctx = {
        "company": company.id,
        "uid": admin.id,
        "partner_ids": batch,
        "single_ids": singles,
        "customer_count": len(customer_ids),
        "registry": registry,
        "dbname": args.db,
        "conf": args.conf,
        "runs": args.runs,
        "batch_runs": args.batch_runs,
        "timeit": timeit,
        "summarize": summarize,
        "log": log,
    }
    results = {}
    if args.realtime:
        set_realtime(os.getpid())
    for name, fn in selected.items():
        log(f"benchmark {name}")
        with registry.cursor() as cr:
            if args.realtime:
                cr.execute("SELECT pg_backend_pid()")
                set_realtime(cr.fetchone()[0])
            env = api.Environment(
                cr, admin.id, {"allowed_company_ids": [company.id], "lang": "en_US", "tz": "UTC"}
            )
            try:
                results[name] = fn(env, ctx)
            except Exception as exc:  # noqa: BLE001 - report and go on with the others
                log(f"benchmark {name} failed: {exc!r}")
                results[name] = {"error": repr(exc)}
            finally:
                cr.rollback()
        log(f"  {json.dumps(results[name])}")

    report = {
        "generated_at": datetime.datetime.now().isoformat(timespec="seconds"),
        "database": args.db,
        "command": "make bench"
        + (f' BENCH_ARGS="{" ".join(sys.argv[5:])}"' if len(sys.argv) > 5 else ""),
        "argv": sys.argv[1:],
        "machine": machine,
        "realtime_priority": args.realtime,
        "ledger": ledger,
        "dataset": dataset,
        "checks": checks,
        "benchmarks": results,
    }
    out_dir = os.path.join(ROOT, ".local")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f"bench-{datetime.datetime.now():%Y%m%d-%H%M%S}.json")
    with open(path, "w") as out:
        json.dump(report, out, indent=2, default=str)
    log(f"figures written to {path}")
    print(json.dumps(report, indent=2, default=str))
    if checks and not checks.get("ok"):
        log("coherence checks FAILED (see 'checks')")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
