#!/usr/bin/env python3
"""Load test: salespeople confirming quotations over JSON-RPC against a prefork Odoo.

``make load`` (``scripts/dev.sh load``) runs, against 127.0.0.1 only:

* **throughput**: N concurrent clients (8, 16, 32 by default), each a salesperson logged
  in over ``/web/session/authenticate``, confirm quotations of their own customer through
  ``/web/dataset/call_kw`` (``sale.order.action_confirm``), with the company's credit
  check on and off; bounded in time and count per scenario. Prints confirmations per
  second and p50/p95 latency;
* **race**: 32 clients confirm at once one quotation each of ONE customer whose limit
  admits exactly k of them: exactly k confirmed, 0 over-commit, every other client a
  credit error (not a 500 or a serialization error);
* **cron**: two processes run the overdue escalation at the same moment on the same
  customers: no duplicate reminder, activity, chatter note, log row or collection case,
  and no failure report;
* **replica** (when ``--db_replica_host`` is given, ``make load REPLICA=1``): the
  read-only downloads of :data:`REPLICA_CHECKS` run on the replica (its table scan
  counters move, the primary's do not) and give the figures read on the primary.

The script creates its database (``credit_load``, customer_credit without demo data) on
the server of ``--conf`` when missing, adds the records each scenario needs, starts Odoo
itself (``--workers=4 --max-cron-threads=0`` on 127.0.0.1:8195, gevent port 8196) and
stops it at the end. Exit status 1 on any over-commit, duplicate or failed check.

    .venv/bin/python scripts/load.py --conf .local/odoo.conf
    make load LOAD_ARGS="--clients 8 --duration 5 --only throughput,race"
"""

import argparse
import contextlib
import http.cookiejar
import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from datetime import timedelta
from io import BytesIO

HOST = "127.0.0.1"
PASSWORD = "load-test"
ORDER_AMOUNT = 100.0
SCENARIOS = ("throughput", "race", "cron", "replica")

# The read-only work proven to run on the replica: a download (``url``) or a JSON-RPC
# method (``model``/``method``, an ``@api.readonly`` method), the tables it reads (their
# scan counters move on the replica only) and how to compare its figures with the
# primary's. ``{aging_id}`` is an aging run computed by the scenario, ``{partner_id}`` a
# customer with invoices (made by the scenario), ``{date_from}``/``{date_to}`` the
# statement's period (the route needs both) and ``{statement_options}`` the same for the
# report route. A check whose ``requires`` (model, attribute) is not in the
# build is left out (and said so).
REPLICA_CHECKS = [
    {
        "name": "aging XLSX",
        "url": "/customer_credit/aging/{aging_id}/xlsx",
        "tables": ["customer_credit_aging_line", "account_move_line"],
        "figures": "xlsx",
    },
    {
        "name": "aging PDF",
        "url": "/report/pdf/customer_credit.report_receivable_aging/{aging_id}",
        "tables": ["customer_credit_aging_line"],
        "figures": "pdf",
    },
    {
        "name": "aging PDF's HTML",
        "url": "/report/html/customer_credit.report_receivable_aging/{aging_id}",
        "tables": ["customer_credit_aging_line"],
        "figures": "html",
    },
    {
        "name": "dashboard figures",
        "model": "customer.credit.dashboard",
        "method": "get_dashboard_data",
        "tables": ["account_move_line"],
        "figures": "json",
        "requires": ("customer.credit.dashboard", "get_dashboard_data"),
    },
    {
        "name": "statement XLSX",
        "url": "/customer_credit/statement/{partner_id}/xlsx?date_from={date_from}&date_to={date_to}",
        "tables": ["account_move_line"],
        "figures": "xlsx",
        "requires": ("res.partner", "_credit_statement_xlsx"),
    },
    {
        "name": "statement PDF",
        "url": "/report/pdf/customer_credit.report_customer_statement/{partner_id}"
        "?options={statement_options}",
        "tables": ["account_move_line"],
        "figures": "pdf",
        "requires": ("res.partner", "_credit_statement_pdf"),
    },
]

ODOO_MAIN = (
    'import os, sys; os.environ["TZ"] = "UTC"; sys.path[0] = sys.argv.pop(1); '
    'sys.argv[0] = os.path.join(sys.path[0], "odoo-bin"); import odoo; odoo.cli.main()'
)


def say(text):
    print(text, flush=True)


# ---------------------------------------------------------------------------- JSON-RPC


class RpcError(Exception):
    def __init__(self, error):
        self.error = error
        data = error.get("data") or {}
        self.name = data.get("name") or error.get("message", "")
        self.text = data.get("message") or error.get("message", "")
        super().__init__(f"{self.name}: {self.text}")


class Client:
    """One browser session (its own cookie jar) on 127.0.0.1."""

    def __init__(self, port, database, timeout=180):
        self.base = f"http://{HOST}:{port}"
        self.database = database
        self.timeout = timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def _post(self, path, params):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}).encode()
        request = urllib.request.Request(
            self.base + path, body, {"Content-Type": "application/json"}
        )
        with self.opener.open(request, timeout=self.timeout) as response:
            reply = json.loads(response.read())
        if reply.get("error"):
            raise RpcError(reply["error"])
        return reply.get("result")

    def login(self, login, password=PASSWORD):
        result = self._post(
            "/web/session/authenticate",
            {"db": self.database, "login": login, "password": password},
        )
        if not result or not result.get("uid"):
            raise RuntimeError(f"login {login} failed")
        return result["uid"]

    def call(self, model, method, *args, **kwargs):
        return self._post(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def get(self, path):
        with self.opener.open(self.base + path, timeout=self.timeout) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


# ---------------------------------------------------------------------------- Odoo side


class Odoo:
    """The database side of the script (in this process) and the server (a child)."""

    def __init__(self, args):
        self.args = args
        sys.path.insert(0, args.odoo_src)
        import odoo

        self.odoo = odoo
        odoo.tools.config.parse_config(["-c", args.conf, "-d", args.database])
        self.server = None
        self.extra_servers = []

    # -- database

    def psql_args(self, database=None, replica=False):
        config = self.odoo.tools.config
        host = (
            self.args.db_replica_host
            if replica
            else (config["db_host"] or os.environ.get("PGHOST", ""))
        )
        port = self.args.db_replica_port if replica else config["db_port"]
        command = ["psql", "-X", "-qtA", "-d", database or self.args.database]
        if host:
            command += ["-h", str(host)]
        if port:
            command += ["-p", str(port)]
        if config["db_user"]:
            command += ["-U", config["db_user"]]
        return command

    def sql(self, query, database=None, replica=False):
        done = subprocess.run(
            [*self.psql_args(database, replica), "-c", query],
            capture_output=True,
            text=True,
            check=True,
        )
        return [line.split("|") for line in done.stdout.splitlines() if line]

    def ensure_database(self):
        rows = self.sql(
            "SELECT 1 FROM pg_database WHERE datname = '%s'" % self.args.database, "postgres"
        )
        if rows and self.sql(
            "SELECT 1 FROM ir_module_module WHERE name = 'customer_credit' AND state = 'installed'"
        ):
            # an existing database is brought to this code (its tables, views, the exposure
            # ledger's triggers): a load run against an older schema measures nothing. Not
            # a shared database (the test suite's, --cron-own-only): it is the code's already
            if self.args.cron_own_only:
                return
            say(f"updating customer_credit in {self.args.database}")
            subprocess.run(
                [
                    *self.odoo_command(),
                    "-u",
                    "customer_credit",
                    "--stop-after-init",
                    "--log-level=warn",
                ],
                check=True,
            )
            return
        say(f"creating database {self.args.database} (customer_credit, no demo data)")
        subprocess.run(
            [
                *self.odoo_command(),
                "-i",
                "customer_credit",
                "--without-demo=all",
                "--stop-after-init",
                "--log-level=warn",
            ],
            check=True,
        )

    def registry(self):
        from odoo.modules.registry import Registry

        return Registry(self.args.database)

    def env_run(self, function, *args):
        """Run ``function(env, *args)`` as superuser in a committed transaction."""
        from odoo import SUPERUSER_ID
        from odoo import api

        with self.registry().cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            result = function(env, *args)
            cr.commit()
            return result

    # -- server

    def odoo_command(self, replica=False, workers=None, port=None):
        args = self.args
        command = [
            sys.executable,
            "-c",
            ODOO_MAIN,
            args.odoo_src,
            "-c",
            args.conf,
            "-d",
            args.database,
            f"--db-filter=^{args.database}$",
            f"--http-interface={HOST}",
            f"--http-port={port or args.port}",
            f"--gevent-port={args.gevent_port}",
        ]
        if workers is not None:
            command += [f"--workers={workers}", "--max-cron-threads=0"]
        if replica:
            command += [
                f"--db_replica_host={args.db_replica_host}",
                f"--db_replica_port={args.db_replica_port}",
            ]
        return command

    def start(self, replica=False, workers=None, port=None, log_name="server"):
        workers = self.args.workers if workers is None else workers
        port = port or self.args.port
        with socket.socket() as probe:
            if probe.connect_ex((HOST, port)) == 0:
                # another server (a test run?) would answer our requests
                raise RuntimeError(f"{HOST}:{port} is in use: choose another --port")
        log = open(os.path.join(self.args.log_dir, f"load-{log_name}.log"), "ab")  # noqa: SIM115
        process = subprocess.Popen(
            [*self.odoo_command(replica, workers, port), "--log-level=warn"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"Odoo exited ({process.returncode}), see {log.name}")
            try:
                with urllib.request.urlopen(f"http://{HOST}:{port}/web/login", timeout=10):
                    break
            except (urllib.error.URLError, OSError):
                time.sleep(1)
        else:
            self.stop_process(process)
            raise RuntimeError(f"Odoo did not answer on {HOST}:{port}, see {log.name}")
        return process

    @staticmethod
    def stop_process(process):
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# ---------------------------------------------------------------------------- data


def setup_people(env, count):
    """``count`` salespeople (load_sales_<i>) each with a customer of their own."""
    from odoo import Command

    company = env.company
    Users = env["res.users"].with_context(no_reset_password=True)
    users = Users.search([("login", "like", "load_sales_")])
    by_login = {user.login: user for user in users}
    missing = [i for i in range(count) if f"load_sales_{i}" not in by_login]
    if missing:
        group = env.ref("sales_team.group_sale_salesman")
        created = Users.create(
            [
                {
                    "name": f"Load Salesperson {i}",
                    "login": f"load_sales_{i}",
                    "password": PASSWORD,
                    "company_id": company.id,
                    "company_ids": [Command.set(company.ids)],
                    "groups_id": [Command.set([env.ref("base.group_user").id, group.id])],
                }
                for i in missing
            ]
        )
        by_login.update({user.login: user for user in created})
    Partner = env["res.partner"]
    partners = Partner.search([("ref", "like", "LOAD-")])
    by_ref = {p.ref: p for p in partners}
    todo = [i for i in range(count) if f"LOAD-{i}" not in by_ref]
    if todo:
        created = Partner.create(
            [
                {
                    "name": f"Load Customer {i}",
                    "ref": f"LOAD-{i}",
                    "is_company": True,
                    "user_id": by_login[f"load_sales_{i}"].id,
                }
                for i in todo
            ]
        )
        created.with_company(company).write(
            {"credit_limit": 1e12, "credit_control_policy": "block"}
        )
        by_ref.update({p.ref: p for p in created})
    product = env["product.product"].search([("default_code", "=", "LOAD-WIDGET")], limit=1)
    if not product:
        product = env["product.product"].create(
            {
                "name": "Load Widget",
                "default_code": "LOAD-WIDGET",
                "list_price": ORDER_AMOUNT,
                "taxes_id": [Command.clear()],
            }
        )
    return {
        "users": [by_login[f"load_sales_{i}"].id for i in range(count)],
        "logins": [f"load_sales_{i}" for i in range(count)],
        "partners": [by_ref[f"LOAD-{i}"].id for i in range(count)],
        "product": product.id,
        "company": company.id,
    }


def create_quotations(env, people, specs):
    """Quotations of one product line, ``specs`` = [(partner id, user id, count, amount)]."""
    from odoo import Command

    vals = [
        {
            "partner_id": partner_id,
            "user_id": user_id,
            "company_id": people["company"],
            "order_line": [
                Command.create(
                    {
                        "product_id": people["product"],
                        "price_unit": amount,
                        "tax_id": [Command.clear()],
                    }
                )
            ],
        }
        for partner_id, user_id, count, amount in specs
        for _i in range(count)
    ]
    orders = env["sale.order"].with_context(tracking_disable=True).create(vals)
    return orders.ids


def set_credit_check(env, enabled):
    env.company.credit_control_enabled = enabled


# ---------------------------------------------------------------------------- scenarios


def login_clients(args, people, count):
    clients = [Client(args.port, args.database) for _i in range(count)]
    errors = []

    def login(index):
        try:
            clients[index].login(people["logins"][index])
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))

    run_threads(login, count)
    if errors:
        raise RuntimeError(f"logins failed: {errors[:3]}")
    return clients


def run_threads(target, count):
    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def confirm(client, order_id):
    """(outcome, seconds, message): outcome confirmed | credit | error."""
    start = time.perf_counter()
    try:
        client.call("sale.order", "action_confirm", [order_id])
        return "confirmed", time.perf_counter() - start, ""
    except RpcError as error:
        outcome = "credit" if error.name == "odoo.exceptions.UserError" else "error"
        return outcome, time.perf_counter() - start, error.text
    except Exception as error:  # noqa: BLE001 - a 500, a timeout: counted as an error
        return "error", time.perf_counter() - start, repr(error)


def warm_up(odoo, clients, people, rounds=1):
    """A few confirmations per client, not measured: every worker loads its registry and
    fills its caches (templates, views, rules) on its first requests."""
    count = len(clients)
    odoo.env_run(set_credit_check, True)
    order_ids = odoo.env_run(
        create_quotations,
        people,
        [(people["partners"][i], people["users"][i], rounds, ORDER_AMOUNT) for i in range(count)],
    )

    def work(index):
        for order_id in order_ids[index * rounds : (index + 1) * rounds]:
            confirm(clients[index], order_id)

    run_threads(work, count)


def scenario_throughput(odoo, clients, people, count, check_on):
    args = odoo.args
    per_client = max(1, math.ceil(args.max_orders / count))
    odoo.env_run(set_credit_check, check_on)
    order_ids = odoo.env_run(
        create_quotations,
        people,
        [
            (people["partners"][i], people["users"][i], per_client, ORDER_AMOUNT)
            for i in range(count)
        ],
    )
    queues = [order_ids[i * per_client : (i + 1) * per_client] for i in range(count)]
    results = [[] for _i in range(count)]
    barrier = threading.Barrier(count)
    deadline = []

    def work(index):
        barrier.wait()
        if index == 0:
            deadline.append(time.monotonic() + args.duration)
        while not deadline:
            time.sleep(0.001)
        for order_id in queues[index]:
            if time.monotonic() >= deadline[0]:
                break
            results[index].append(confirm(clients[index], order_id))

    start = time.monotonic()
    run_threads(work, count)
    elapsed = time.monotonic() - start
    flat = [r for rs in results for r in rs]
    latencies = [seconds for outcome, seconds, _m in flat if outcome == "confirmed"]
    errors = [message for outcome, _s, message in flat if outcome != "confirmed"]
    return {
        "clients": count,
        "check": "on" if check_on else "off",
        "confirmed": len(latencies),
        "seconds": round(elapsed, 2),
        "per_second": round(len(latencies) / elapsed, 1) if elapsed else 0,
        "p50_ms": round(percentile(latencies, 0.5) * 1000),
        "p95_ms": round(percentile(latencies, 0.95) * 1000),
        "errors": len(errors),
        "error_sample": errors[:2],
    }


def setup_race_customer(env, people, k):
    partner = env["res.partner"].create(
        {"name": f"Load Race Customer {int(time.time())}", "is_company": True}
    )
    # exactly k orders fit: k * amount <= limit < (k + 1) * amount
    partner.with_company(env.company).write(
        {"credit_limit": (k + 0.5) * ORDER_AMOUNT, "credit_control_policy": "block"}
    )
    return partner.id


def race_outcome(env, partner_id, order_ids):
    orders = env["sale.order"].browse(order_ids)
    confirmed = orders.filtered(lambda o: o.state == "sale")
    return len(confirmed), sum(confirmed.mapped("amount_total"))


def scenario_race(odoo, clients, people):
    args = odoo.args
    count, k = len(clients), args.race_k
    odoo.env_run(set_credit_check, True)
    partner_id = odoo.env_run(setup_race_customer, people, k)
    order_ids = odoo.env_run(
        create_quotations,
        people,
        [(partner_id, people["users"][i], 1, ORDER_AMOUNT) for i in range(count)],
    )
    results = [None] * count
    barrier = threading.Barrier(count)

    def work(index):
        barrier.wait()
        results[index] = confirm(clients[index], order_ids[index])

    start = time.monotonic()
    run_threads(work, count)
    elapsed = time.monotonic() - start
    confirmed_db, amount_db = odoo.env_run(race_outcome, partner_id, order_ids)
    answers = {"confirmed": 0, "credit": 0, "error": 0}
    for outcome, _s, _m in results:
        answers[outcome] += 1
    credit_messages = [m for outcome, _s, m in results if outcome == "credit"]
    unclear = [m for m in credit_messages if "credit" not in m.lower()]
    limit = (k + 0.5) * ORDER_AMOUNT
    report = {
        "clients": count,
        "k": k,
        "limit": limit,
        "confirmed_answers": answers["confirmed"],
        "confirmed_in_db": confirmed_db,
        "credit_errors": answers["credit"],
        "other_errors": answers["error"],
        "over_commit": max(0, confirmed_db - k) + (1 if amount_db > limit else 0),
        "seconds": round(elapsed, 2),
        "credit_message": credit_messages[0].splitlines()[:3] if credit_messages else [],
        "other_sample": [m for outcome, _s, m in results if outcome == "error"][:2],
        "unclear_messages": len(unclear),
    }
    report["ok"] = (
        confirmed_db == k
        and answers["confirmed"] == k
        and answers["credit"] == count - k
        and answers["error"] == 0
        and not unclear
        and report["over_commit"] == 0
    )
    return report


# -- two escalation runs at once


def setup_overdue(env, people, customers, invoices):
    """``customers`` customers, each with ``invoices`` posted invoices 100 days overdue."""
    from odoo import Command
    from odoo import fields

    company = env.company
    Level = env["customer.credit.escalation.level"]
    if not Level.search_count([("company_id", "=", company.id)]):
        Level._create_default_levels(company)
    manager = env.ref("base.user_admin")
    manager.groups_id += env.ref("customer_credit.group_credit_manager")
    stamp = int(time.time())
    partners = env["res.partner"].create(
        [
            {
                "name": f"Load Overdue {stamp}-{i}",
                "is_company": True,
                "email": f"ap{i}@load.example.com",
                "user_id": people["users"][i % len(people["users"])] if people["users"] else False,
            }
            for i in range(customers)
        ]
    )
    partners.with_company(company).write({"credit_manager_id": manager.id})
    due = fields.Date.context_today(env["res.partner"]) - timedelta(days=100)
    moves = (
        env["account.move"]
        .with_context(tracking_disable=True)
        .create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": due,
                    "invoice_date_due": due,
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Goods",
                                "quantity": 1,
                                "price_unit": ORDER_AMOUNT * (n + 1),
                                "tax_ids": [],
                            }
                        )
                    ],
                }
                for partner in partners
                for n in range(invoices)
            ]
        )
    )
    moves.action_post()
    return partners.ids


def escalation_counts(env, partner_ids):
    """Duplicates among what the escalation made for ``partner_ids``."""
    from odoo.tools import SQL

    ids = list(partner_ids)
    queries = {
        "log rows (invoice, level)": """
            SELECT count(*) - count(DISTINCT (move_id, level_id))
              FROM customer_credit_escalation_log WHERE partner_id = ANY(%(ids)s)""",
        "reminder emails (customer, subject, day)": """
            SELECT COALESCE(SUM(n - 1), 0) FROM (
                SELECT count(*) AS n FROM mail_mail mm
                  JOIN mail_message m ON m.id = mm.mail_message_id
                 WHERE m.model = 'res.partner' AND m.res_id = ANY(%(ids)s)
                 GROUP BY m.res_id, m.subject, m.date::date) t""",
        "activities (customer, user, summary, deadline)": """
            SELECT COALESCE(SUM(n - 1), 0) FROM (
                SELECT count(*) AS n FROM mail_activity
                 WHERE res_model = 'res.partner' AND res_id = ANY(%(ids)s)
                 GROUP BY res_id, user_id, summary, date_deadline) t""",
        "escalation notes (customer, day)": """
            SELECT COALESCE(SUM(n - 1), 0) FROM (
                SELECT count(*) AS n FROM mail_message
                 WHERE model = 'res.partner' AND res_id = ANY(%(ids)s)
                   AND body LIKE %(note)s
                 GROUP BY res_id, date::date) t""",
        "open collection cases (customer)": """
            SELECT COALESCE(SUM(n - 1), 0) FROM (
                SELECT count(*) AS n FROM customer_credit_collection_case
                 WHERE partner_id = ANY(%(ids)s) AND is_closed IS NOT TRUE
                 GROUP BY partner_id) t""",
        "failure reports (to-dos 'Credit automation failed')": """
            SELECT count(*) FROM mail_activity
             WHERE res_model = 'res.partner' AND res_id = ANY(%(ids)s)
               AND summary LIKE %(failed)s""",
    }
    counts = {
        name: int(
            env.execute_query(
                SQL(query, ids=ids, note="%Overdue escalation%", failed="Credit automation failed%")
            )[0][0]
        )
        for name, query in queries.items()
    }
    made = env.execute_query(
        SQL(
            """SELECT (SELECT count(*) FROM customer_credit_escalation_log
                        WHERE partner_id = ANY(%(ids)s)),
                      (SELECT count(*) FROM customer_credit_collection_case
                        WHERE partner_id = ANY(%(ids)s))""",
            ids=ids,
        )
    )[0]
    return counts, {"log rows": made[0], "cases": made[1]}


def cleanup_overdue(env, partner_ids):
    """Remove what the cron scenario made (for a shared database): the customers' invoices,
    escalation rows, cases, activities and emails; the customers are archived (the
    decision ledger keeps the holds the escalation set)."""
    ids = list(partner_ids)
    env["mail.activity"].search([("res_model", "=", "res.partner"), ("res_id", "in", ids)]).unlink()
    env["mail.mail"].search([("model", "=", "res.partner"), ("res_id", "in", ids)]).unlink()
    env["customer.credit.escalation.log"].search([("partner_id", "in", ids)]).unlink()
    cases = env["customer.credit.collection.case"].search([("partner_id", "in", ids)])
    cases.with_context(force_delete=True).unlink()
    moves = env["account.move"].search([("partner_id", "in", ids)])
    moves.button_draft()
    moves.with_context(force_delete=True).unlink()
    env["res.partner"].browse(ids).active = False


def escalate_at(args):
    """Child process of the cron scenario: run the escalation at ``args.escalate_at``."""
    sys.path.insert(0, args.odoo_src)
    import odoo
    from odoo import SUPERUSER_ID
    from odoo import api
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.conf, "-d", args.database])
    registry = Registry(args.database)
    cls = registry["customer.credit.monitor"]
    if args.without_escalation_lock:
        cls._escalation_run_lock = lambda self, company: contextlib.nullcontext(True)
    if args.escalate_partners:
        # On a shared database (the test suite's): escalate the scenario's customers only.
        own = {int(pid) for pid in args.escalate_partners.split(",")}
        scan = cls._escalation_scan
        cls._escalation_scan = lambda self, today: [r for r in scan(self, today) if r[0] in own]
        cls._escalation_release = lambda self, today: self.env["res.partner"]
        cls._collection_cases_follow_up = lambda self, today: self.env[
            "customer.credit.collection.case"
        ]
    report = {"pid": os.getpid()}
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["res.partner"].search([], limit=1)  # a snapshot taken before the other run
        time.sleep(max(0.0, args.escalate_at - time.time()))
        start = time.perf_counter()
        try:
            report["done"] = env["customer.credit.monitor"]._cron_escalate_overdue()
            cr.commit()
        except Exception as error:  # noqa: BLE001 - reported to the parent
            cr.rollback()
            report["error"] = repr(error)
        report["seconds"] = round(time.perf_counter() - start, 2)
    print(json.dumps(report), flush=True)
    return 0


def scenario_cron(odoo, people):
    args = odoo.args
    partner_ids = odoo.env_run(setup_overdue, people, args.cron_customers, args.cron_invoices)
    at = time.time() + 8  # both processes loaded and waiting
    command = [
        sys.executable,
        os.path.abspath(__file__),
        "--odoo-src",
        args.odoo_src,
        "--conf",
        args.conf,
        "--database",
        args.database,
        "--escalate-at",
        str(at),
    ]
    if args.without_escalation_lock:
        command.append("--without-escalation-lock")
    if args.cron_own_only:
        command += ["--escalate-partners", ",".join(map(str, partner_ids))]
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _i in range(2)
    ]
    runs = []
    for process in processes:
        out, err = process.communicate(timeout=600)
        lines = [line for line in out.splitlines() if line.startswith("{")]
        run = json.loads(lines[-1]) if lines else {"error": err[-2000:]}
        warnings = [line for line in err.splitlines() if " WARNING " in line or " ERROR " in line]
        run["warnings"] = len(warnings)
        run["warning_sample"] = [line.split(" odoo.", 1)[-1][:300] for line in warnings[:2]]
        runs.append(run)
    duplicates, made = odoo.env_run(escalation_counts, partner_ids)
    if args.cron_cleanup:
        odoo.env_run(cleanup_overdue, partner_ids)
    return {
        "customers": len(partner_ids),
        "invoices_each": args.cron_invoices,
        "runs": runs,
        "made": made,
        "duplicates": duplicates,
        "lock": not args.without_escalation_lock,
        # With the lock the second run skips the company: nothing fails, nothing is logged.
        "ok": not any(duplicates.values())
        and not any("error" in run for run in runs)
        and (args.without_escalation_lock or not any(run["warnings"] for run in runs)),
    }


# -- the replica


def setup_statement_customer(env):
    """The customer of the statement checks (LOAD-0): two posted invoices, 100 and
    10 days old, made once. A database without demo data (credit_load) has no other."""
    from odoo import Command
    from odoo import fields

    partner = env["res.partner"].search([("ref", "=", "LOAD-0")], limit=1)
    domain = [
        ("move_type", "=", "out_invoice"),
        ("state", "=", "posted"),
        ("partner_id", "=", partner.id),
    ]
    if not env["account.move"].search_count(domain, limit=1):
        today = fields.Date.context_today(partner)
        moves = (
            env["account.move"]
            .with_context(tracking_disable=True)
            .create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_date": today - timedelta(days=age),
                        "invoice_date_due": today - timedelta(days=age),
                        "invoice_payment_term_id": False,
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "name": "Goods",
                                    "quantity": 1,
                                    "price_unit": ORDER_AMOUNT * (n + 1),
                                    "tax_ids": [],
                                }
                            )
                        ],
                    }
                    for n, age in enumerate((100, 10))
                ]
            )
        )
        moves.action_post()
    return partner


def setup_replica_records(env, login, port):
    """The ids of the checks' URLs: an aging run of ``login`` (``aging_id``), the
    statement customer (``partner_id``) and a period holding an opening balance and a
    line (``date_from``, ``date_to``, and the same as the report's ``statement_options``)."""
    from odoo import fields

    # wkhtmltopdf fetches the report's assets from this server
    env["ir.config_parameter"].set_param("report.url", f"http://{HOST}:{port}")
    partner = setup_statement_customer(env)
    user = env["res.users"].search([("login", "=", login)])
    report = env["customer.credit.aging.report"].with_user(user).create({})
    report.action_compute()
    today = fields.Date.context_today(partner)
    period = {
        "date_from": fields.Date.to_string(today - timedelta(days=60)),
        "date_to": fields.Date.to_string(today),
    }
    return {
        "aging_id": report.id,
        "partner_id": partner.id,
        **period,
        "statement_options": urllib.parse.quote(json.dumps(period)),
    }


# A backend publishes its statistics when idle, at most once a second, later (up to
# 10 s) when the statistics lock is busy: wait that long before reading a counter that
# must NOT have moved.
STATS_DELAY = 11


def wait_for_scans(odoo, tables, replica, before):
    """The counter once it moved past ``before`` (or after STATS_DELAY seconds)."""
    deadline = time.monotonic() + STATS_DELAY
    while True:
        now = scan_counts(odoo, tables, replica)
        if now > before or time.monotonic() > deadline:
            return now
        time.sleep(0.5)


def scan_counts(odoo, tables, replica):
    names = ",".join(f"'{table}'" for table in tables)
    rows = odoo.sql(
        "SELECT COALESCE(SUM(COALESCE(seq_scan, 0) + COALESCE(idx_scan, 0)), 0) "
        f"FROM pg_stat_user_tables WHERE relname IN ({names})",
        replica=replica,
    )
    return int(rows[0][0])


def figures(kind, content, status=200):
    """What a download shows, without what differs between two renderings (times); an
    error page as it is."""
    if status != 200:
        return content
    if kind == "xlsx":
        with zipfile.ZipFile(BytesIO(content)) as archive:
            names = sorted(
                n
                for n in archive.namelist()
                if n.startswith("xl/worksheets/") or "sharedStrings" in n
            )
            return b"".join(archive.read(n) for n in names)
    if kind == "pdf":
        # the text of its pages (PyPDF2, an Odoo requirement): wkhtmltopdf embeds the
        # fonts of a page in either order, so two renderings differ in their bytes
        from PyPDF2 import PdfReader

        pages = PdfReader(BytesIO(content)).pages
        return "\f".join(page.extract_text() for page in pages).encode()
    if kind == "html":
        # the text of the page: asset links and tokens differ between two servers
        body = re.sub(rb"(?s)<(script|style|head)\b.*?</\1>", b"", content)
        return b" ".join(re.sub(rb"<[^>]+>", b" ", body).split())
    return content


def available_checks(registry):
    """The checks of REPLICA_CHECKS this build has, and the names of the others."""
    kept, missing = [], []
    for check in REPLICA_CHECKS:
        model, attribute = check.get("requires", (None, None))
        if model and (model not in registry or not hasattr(registry[model], attribute)):
            missing.append(check["name"])
        else:
            kept.append(check)
    return kept, missing


def check_target(check, ids):
    """What a check asks for: its URL, or model.method for a JSON-RPC call."""
    if "url" in check:
        return check["url"].format(**ids)
    return f"{check['model']}.{check['method']}"


def fetch_check(client, check, ids):
    """(status, content type, content) of one check; an HTTP error is a status, not an
    exception, so that the report says which URL answered what."""
    if "url" in check:
        try:
            return client.get(check_target(check, ids))
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Content-Type", ""), error.read()
    result = client.call(check["model"], check["method"], *check.get("args", []))
    return 200, "application/json", json.dumps(result, sort_keys=True).encode()


def scenario_replica(odoo, admin_login):
    """Each check through a server using the replica, then through one that does not."""
    ids = odoo.env_run(setup_replica_records, admin_login, odoo.args.port)
    checks, missing = available_checks(odoo.registry())
    lag = odoo.sql("SELECT pg_current_wal_lsn()", "postgres")[0][0]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if (
            odoo.sql(
                f"SELECT pg_last_wal_replay_lsn() >= '{lag}'::pg_lsn", "postgres", replica=True
            )[0][0]
            == "t"
        ):
            break
        time.sleep(0.2)
    in_recovery = odoo.sql("SELECT pg_is_in_recovery()", replica=True)[0][0] == "t"
    results = []
    replica_server = odoo.start(replica=True, workers=2, log_name="replica")
    try:
        client = Client(odoo.args.port, odoo.args.database)
        client.login(admin_login, odoo.args.admin_password)
        for check in checks:
            # first rendering: the worker's caches and the report's asset bundles
            fetch_check(client, check, ids)
        time.sleep(STATS_DELAY)  # the warm-up's statistics are published
        for check in checks:
            before = (
                scan_counts(odoo, check["tables"], True),
                scan_counts(odoo, check["tables"], False),
            )
            started = time.monotonic()
            status, ctype, content = fetch_check(client, check, ids)
            replica_after = wait_for_scans(odoo, check["tables"], True, before[0])
            time.sleep(max(0.0, STATS_DELAY - (time.monotonic() - started)))
            after = (replica_after, scan_counts(odoo, check["tables"], False))
            results.append(
                {
                    "name": check["name"],
                    "target": check_target(check, ids),
                    "status": status,
                    "type": ctype.split(";")[0],
                    "bytes": len(content),
                    "replica_scans": after[0] - before[0],
                    "primary_scans": after[1] - before[1],
                    "_figures": figures(check.get("figures"), content, status),
                    "_content": content,
                    # what an error page says (its text, shortened)
                    "error": ""
                    if status == 200
                    else figures("html", content)[:300].decode(errors="replace"),
                }
            )
    finally:
        odoo.stop_process(replica_server)
    # threaded: one registry to load, this server only gives the figures to compare
    primary_server = odoo.start(replica=False, workers=0, log_name="primary")
    try:
        client = Client(odoo.args.port, odoo.args.database)
        client.login(admin_login, odoo.args.admin_password)
        for index, (check, result) in enumerate(zip(checks, results, strict=True)):
            fetch_check(client, check, ids)
            if index:
                status, _ctype, content = fetch_check(client, check, ids)
                result["primary_scans_without_replica"] = None
            else:
                # control: the same counters do move when the primary serves it
                time.sleep(STATS_DELAY)
                before = scan_counts(odoo, check["tables"], False)
                status, _ctype, content = fetch_check(client, check, ids)
                result["primary_scans_without_replica"] = (
                    wait_for_scans(odoo, check["tables"], False, before) - before
                )
            result["status_without_replica"] = status
            result["same_figures_as_primary"] = figures(
                check.get("figures"), content, status
            ) == result.pop("_figures")
            replica_content = result.pop("_content")
            if not result["same_figures_as_primary"]:
                # both downloads, to compare by hand
                stem = os.path.join(odoo.args.log_dir, "load-" + re.sub(r"\W+", "-", check["name"]))
                for side, body in (("replica", replica_content), ("primary", content)):
                    with open(f"{stem}.{side}", "wb") as file:
                        file.write(body)
                result["kept_in"] = f"{stem}.replica, {stem}.primary"
    finally:
        odoo.stop_process(primary_server)
    for result in results:
        result["ok"] = (
            result["status"] == result["status_without_replica"] == 200
            and result["replica_scans"] > 0
            and result["primary_scans"] == 0
            and result["primary_scans_without_replica"] != 0
            and result["same_figures_as_primary"]
        )
    return {
        "replica_in_recovery": in_recovery,
        "ids": ids,
        "checks": results,
        "not_in_this_build": missing,
    }


# ---------------------------------------------------------------------------- main


def print_table(rows):
    say("")
    say("| clients | credit check | confirmed | conf./s | p50 ms | p95 ms | errors |")
    say("|--------:|:------------:|----------:|--------:|-------:|-------:|-------:|")
    for r in rows:
        say(
            f"| {r['clients']} | {r['check']} | {r['confirmed']} | {r['per_second']} "
            f"| {r['p50_ms']} | {r['p95_ms']} | {r['errors']} |"
        )


def print_replica(replica):
    """Print the replica scenario; return its failures."""
    failures = []
    say(f"\nreplica (pg_is_in_recovery: {replica['replica_in_recovery']}):")
    if replica["not_in_this_build"]:
        say(f"  not in this build: {', '.join(replica['not_in_this_build'])}")
    for check in replica["checks"]:
        say(
            f"  {check['name']} ({check['target']}): HTTP {check['status']} {check['type']} "
            f"{check['bytes']} B (HTTP {check['status_without_replica']} without replica), "
            f"table scans on the replica +{check['replica_scans']}, on the primary "
            f"+{check['primary_scans']}"
            + (
                f" (+{check['primary_scans_without_replica']} when served without replica)"
                if check["primary_scans_without_replica"] is not None
                else ""
            )
            + f", same figures as on the primary: "
            f"{check['same_figures_as_primary']}"
        )
        if check["error"]:
            say(f"    {check['error']}")
        if not check["ok"]:
            failures.append(
                f"replica: {check['name']} {check['target']}: HTTP {check['status']} "
                f"(HTTP {check['status_without_replica']} without replica), {check}"
            )
    return failures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--odoo-src", required=True)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--database", default="credit_load")
    parser.add_argument("--port", type=int, default=8195)
    parser.add_argument("--gevent-port", type=int, default=8196)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", default="8,16,32", help="client counts of the throughput")
    parser.add_argument("--duration", type=float, default=6, help="seconds per scenario")
    parser.add_argument("--max-orders", type=int, default=120, help="confirmations per scenario")
    parser.add_argument("--race-clients", type=int, default=32)
    parser.add_argument("--race-k", type=int, default=5, help="orders the race limit admits")
    parser.add_argument("--cron-customers", type=int, default=40)
    parser.add_argument("--cron-invoices", type=int, default=2)
    parser.add_argument("--without-escalation-lock", action="store_true", help="control run")
    parser.add_argument(
        "--cron-own-only", action="store_true", help="escalate the scenario's customers only"
    )
    parser.add_argument("--cron-cleanup", action="store_true", help="remove the cron data after")
    parser.add_argument("--escalate-partners", help=argparse.SUPPRESS)
    parser.add_argument("--only", default="", help=f"comma-separated among {','.join(SCENARIOS)}")
    parser.add_argument("--db_replica_host")
    parser.add_argument("--db_replica_port", type=int)
    parser.add_argument("--admin-login", default="admin")
    parser.add_argument("--admin-password", default="admin")
    parser.add_argument("--log-dir", default="/tmp")
    parser.add_argument("--json", help="write the report to this file")
    parser.add_argument("--escalate-at", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.escalate_at:
        return escalate_at(args)
    only = [s for s in args.only.split(",") if s] or [
        s for s in SCENARIOS if s != "replica" or args.db_replica_host
    ]
    if "replica" in only and not args.db_replica_host:
        parser.error("the replica scenario needs --db_replica_host (make load REPLICA=1)")
    counts = [int(c) for c in args.clients.split(",") if c]

    odoo = Odoo(args)
    odoo.ensure_database()
    most = max(
        [
            *(counts if "throughput" in only else []),
            args.race_clients if "race" in only else 0,
            1,
        ]
    )
    if args.cron_own_only and only == ["cron"]:
        people = {"users": []}  # on a shared database (the tests'): no salespeople made
    else:
        people = odoo.env_run(setup_people, most)
    report = {"args": vars(args), "scenarios": only}
    failures = []
    server = None
    try:
        if "throughput" in only or "race" in only:
            say(
                f"starting Odoo: --workers={args.workers} --max-cron-threads=0 on {HOST}:{args.port}"
            )
            server = odoo.start()
            clients = login_clients(args, people, most)
            warm_up(odoo, clients, people)
            if "throughput" in only:
                rows = []
                for check_on in (True, False):
                    for count in counts:
                        row = scenario_throughput(odoo, clients[:count], people, count, check_on)
                        rows.append(row)
                        say(f"  {row}")
                print_table(rows)
                report["throughput"] = rows
            if "race" in only:
                race = scenario_race(odoo, clients[: args.race_clients], people)
                report["race"] = race
                say(
                    f"\nrace: {race['clients']} clients, one customer, limit admits k={race['k']}: "
                    f"{race['confirmed_in_db']} confirmed, {race['credit_errors']} credit errors, "
                    f"{race['other_errors']} other errors, over-commit {race['over_commit']}"
                    f" ({race['seconds']} s)\n  message: {race['credit_message']}"
                )
                if not race["ok"]:
                    failures.append(f"race: {race}")
            odoo.stop_process(server)
            server = None
            odoo.env_run(set_credit_check, True)
        if "cron" in only:
            cron = scenario_cron(odoo, people)
            report["cron"] = cron
            say(
                f"\ntwo escalation runs at once ({'with' if cron['lock'] else 'WITHOUT'} the run "
                f"lock), {cron['customers']} customers x {cron['invoices_each']} invoices: "
                f"made {cron['made']}; runs {cron['runs']}"
            )
            for name, value in cron["duplicates"].items():
                say(f"  duplicate {name}: {value}")
            if not cron["ok"]:
                failures.append(f"cron: {cron['duplicates']} {cron['runs']}")
        if "replica" in only:
            report["replica"] = scenario_replica(odoo, args.admin_login)
            failures += print_replica(report["replica"])
    finally:
        odoo.stop_process(server)
        odoo.env_run(set_credit_check, True)
    if args.json:
        with open(args.json, "w") as file:
            json.dump(report, file, indent=1, default=str)
    say("\nRESULT: " + ("OK" if not failures else "FAILED\n" + "\n".join(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
