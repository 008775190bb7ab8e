import json
import os
import subprocess
import sys
import tempfile

import odoo
from odoo.tests import TransactionCase
from odoo.tests import tagged
from odoo.tools import config

_SCRIPT = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts", "load.py"
)


@tagged("post_install", "-at_install")
class TestEscalationRace(TransactionCase):
    """Two processes run the overdue escalation at the same moment on the same customers
    (two cron workers, or the cron and a manual run). scripts/load.py (its cron
    scenario) commits its customers and invoices, starts the two runs and counts what
    they made, then removes it: no reminder, activity, note, log row or case twice, and
    no failure report."""

    def _race(self, *extra):
        odoo_src = os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__)))
        with tempfile.NamedTemporaryFile(suffix=".json") as report_file:
            done = subprocess.run(
                [
                    sys.executable,
                    _SCRIPT,
                    "--odoo-src",
                    odoo_src,
                    "--conf",
                    config.rcfile,
                    "--database",
                    self.env.cr.dbname,
                    "--only",
                    "cron",
                    "--cron-customers",
                    "4",
                    "--cron-own-only",
                    "--cron-cleanup",
                    "--json",
                    report_file.name,
                    *extra,
                ],
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            self.assertTrue(os.path.getsize(report_file.name), done.stdout + done.stderr)
            with open(report_file.name) as file:
                return json.load(file)["cron"], done

    def test_two_runs_at_once_do_everything_once(self):
        cron, done = self._race()
        self.assertEqual(done.returncode, 0, done.stdout[-3000:])
        self.assertFalse([run for run in cron["runs"] if "error" in run], cron["runs"])
        self.assertEqual(
            cron["made"]["log rows"], 4 * 2 * 4, cron
        )  # 4 customers x 2 invoices x 4 levels
        self.assertEqual(cron["made"]["cases"], 4, cron)
        self.assertEqual(set(cron["duplicates"].values()), {0}, cron["duplicates"])
        # one run escalated, the other found the company taken
        self.assertEqual(sorted(run["done"] for run in cron["runs"]), [0, 4], cron["runs"])
