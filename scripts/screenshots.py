#!/usr/bin/env python3
"""Screenshots of the demo for the README, taken in headless Chromium (issue 14).

Logs in to an Odoo server holding the customer_credit demo as the demo credit manager and
saves PNGs in docs/img/: the banner of a blocked quotation, a customer's Credit tab, the
receivable aging, the Chinese credit agreement and the credit dashboard (when the addon
has one). The agreement is the report's HTML as Chromium draws it (the PDF is the same
QWeb page through wkhtmltopdf; no PDF rasteriser is needed).

    scripts/screenshots.py --url http://127.0.0.1:8069 --db credit_demo
    scripts/screenshots.py --conf .local/odoo.conf --db credit_demo --port 8194

With --conf, the script starts the server itself (odoo-bin from --odoo-src) and stops it.
Chromium is driven through the DevTools protocol (websocket-client, in requirements.txt).
"""

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import requests
import websocket

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1360, 860


class Chromium:
    """A headless Chromium page driven over the DevTools protocol."""

    def __init__(self, binary, port):
        self.profile = tempfile.mkdtemp(prefix="cc-shots-")
        self.process = subprocess.Popen(  # noqa: S603 - a local browser we started
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--no-first-run",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self.profile}",
                f"--window-size={WIDTH},{HEIGHT}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        targets = None
        for _attempt in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as response:
                    targets = json.load(response)
                break
            except OSError:
                time.sleep(0.2)
        page = next(t for t in targets or [] if t["type"] == "page")
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        )
        self.next_id = 0
        self.call("Page.enable")
        self.call("Network.enable")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=HEIGHT,
            deviceScaleFactor=1,
            mobile=False,
        )

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def goto(self, url, selector, timeout=240):
        self.call("Page.navigate", url=url)
        self.wait_for(selector, timeout)

    def wait_for(self, selector, timeout=240):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(f"!!document.querySelector({json.dumps(selector)})"):
                time.sleep(1.0)  # let the view finish drawing
                return
            time.sleep(0.3)
        debug = Path(tempfile.gettempdir()) / "cc-screenshot-timeout.png"
        data = self.call("Page.captureScreenshot", format="png")["data"]
        debug.write_bytes(base64.b64decode(data))
        url = self.evaluate("location.href")
        raise TimeoutError(f"{selector} did not appear on {url} (what was shown: {debug})")

    def screenshot(self, path, height=None):
        if height:
            self.call(
                "Emulation.setDeviceMetricsOverride",
                width=WIDTH,
                height=height,
                deviceScaleFactor=1,
                mobile=False,
            )
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")
        if height:
            self.call(
                "Emulation.setDeviceMetricsOverride",
                width=WIDTH,
                height=HEIGHT,
                deviceScaleFactor=1,
                mobile=False,
            )

    def close(self):
        try:
            self.ws.close()
        finally:
            self.process.terminate()
            self.process.wait(10)
            shutil.rmtree(self.profile, ignore_errors=True)


class Odoo:
    """A JSON-RPC session of the demo credit manager."""

    def __init__(self, url, db, login, password):
        self.url = url.rstrip("/")
        self.session = requests.Session()
        result = self.rpc(
            "/web/session/authenticate", {"db": db, "login": login, "password": password}
        )
        if not result.get("uid"):
            sys.exit(f"cannot log in as {login} on {db}")
        self.session_id = self.session.cookies["session_id"]

    def rpc(self, path, params):
        response = self.session.post(
            self.url + path,
            json={"jsonrpc": "2.0", "method": "call", "params": params},
            timeout=120,
        )
        body = response.json()
        if body.get("error"):
            raise RuntimeError(body["error"]["data"]["message"])
        return body["result"]

    def search(self, model, domain, limit=1):
        return self.rpc(
            "/web/dataset/call_kw",
            {
                "model": model,
                "method": "search",
                "args": [domain],
                "kwargs": {"limit": limit},
            },
        )

    def action(self, xmlid):
        """The action ``xmlid``, or False when the database has none."""
        try:
            return self.rpc("/web/action/load", {"action_id": xmlid})
        except RuntimeError:
            return False


def start_server(args):
    command = [
        sys.executable,
        str(Path(args.odoo_src) / "odoo-bin"),
        "-c",
        args.conf,
        "-d",
        args.db,
        f"--db-filter=^{args.db}$",
        f"--http-port={args.port}",
        "--log-level=warn",
        "--max-cron-threads=0",
    ]
    server = subprocess.Popen(command, env=dict(os.environ, TZ="UTC"))  # noqa: S603
    for _attempt in range(240):
        try:
            with urllib.request.urlopen(f"{args.url}/web/login", timeout=5):
                return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    sys.exit("the Odoo server did not start")


def take(args):
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    odoo = Odoo(args.url, args.db, args.login, args.password)
    chromium = Chromium(args.chromium, args.cdp_port)
    try:
        chromium.call(
            "Network.setCookie",
            name="session_id",
            value=odoo.session_id,
            url=args.url,
        )
        shots = []
        # 1. A quotation stopped by the credit check, a release waiting.
        release = odoo.search("customer.credit.release", [("state", "=", "pending")])
        order = odoo.rpc(
            "/web/dataset/call_kw",
            {
                "model": "customer.credit.release",
                "method": "read",
                "args": [release, ["order_id"]],
                "kwargs": {},
            },
        )[0]["order_id"][0]
        # The salesperson's quotation: seen as the salesperson (own documents only).
        sales = Odoo(args.url, args.db, args.sales_login, args.sales_password)
        chromium.call("Network.setCookie", name="session_id", value=sales.session_id, url=args.url)
        chromium.goto(f"{args.url}/odoo/sale.order/{order}", ".o_credit_banner_container")
        chromium.screenshot(out / "credit_banner.png")
        shots.append("credit_banner.png")
        chromium.call("Network.setCookie", name="session_id", value=odoo.session_id, url=args.url)
        # 2. The Credit tab of a customer over its limit.
        delta = odoo.search("res.partner", [("name", "=", "Guangzhou Delta Foods Co., Ltd.")])[0]
        chromium.goto(f"{args.url}/odoo/res.partner/{delta}", ".o_notebook")
        chromium.evaluate(
            "[...document.querySelectorAll('.o_notebook .nav-link')]"
            ".find(a => a.textContent.trim() === 'Credit').click()"
        )
        chromium.wait_for(".o_notebook .tab-pane.active [name='credit_limit']")
        chromium.screenshot(out / "credit_tab.png")
        shots.append("credit_tab.png")
        # 3. The receivable aging: one row per customer, one column per range.
        chromium.goto(
            f"{args.url}/odoo/action-customer_credit.customer_credit_aging_report_action",
            "button[name='action_compute']",
        )
        chromium.evaluate("document.querySelector(\"button[name='action_compute']\").click()")
        chromium.wait_for(".o_list_view .o_data_row")
        chromium.screenshot(out / "aging.png")
        shots.append("aging.png")
        # 4. The CNY agreement of the Chinese-speaking customer, as printed.
        agreement = odoo.search(
            "customer.credit.agreement",
            [("partner_id.lang", "=", "zh_CN"), ("state", "=", "active")],
        )[0]
        chromium.goto(
            f"{args.url}/report/html/customer_credit.report_credit_agreement/{agreement}",
            ".page",
        )
        chromium.screenshot(out / "agreement_zh_CN.png", height=1160)
        shots.append("agreement_zh_CN.png")
        # 5. The dashboard, when the addon has one.
        dashboard = odoo.action("customer_credit.customer_credit_dashboard_action")
        if dashboard:
            chromium.goto(
                f"{args.url}/odoo/action-customer_credit.customer_credit_dashboard_action",
                ".o_credit_dashboard .o_credit_figure",
            )
            time.sleep(2)  # the charts draw after the figures
            chromium.screenshot(out / "dashboard.png")
            shots.append("dashboard.png")
        else:
            print("no credit dashboard in this database: dashboard.png not taken")
    finally:
        chromium.close()
    too_big = [name for name in shots if (out / name).stat().st_size > 300 * 1024]
    if too_big:
        sys.exit(f"larger than 300 KB: {', '.join(too_big)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="credit_demo")
    parser.add_argument("--url", help="a running server (default: the one --conf starts)")
    parser.add_argument("--conf", help="odoo.conf: start a server on --port for the shots")
    parser.add_argument("--port", type=int, default=8069)
    parser.add_argument(
        "--odoo-src", default=os.path.expanduser("~/.cache/customer-credit/odoo-18.0")
    )
    parser.add_argument("--login", default="credit.manager")
    parser.add_argument("--password", default="credit.manager")
    parser.add_argument("--sales-login", default="salesman")
    parser.add_argument("--sales-password", default="salesman")
    parser.add_argument("--out", default=str(ROOT / "docs" / "img"))
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--cdp-port", type=int, default=9294)
    args = parser.parse_args()
    args.url = args.url or f"http://127.0.0.1:{args.port}"
    server = start_server(args) if args.conf else None
    try:
        take(args)
    finally:
        if server:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main()
