import importlib.util
import os

from odoo.tests import TransactionCase
from odoo.tests import tagged
from odoo.tools import config
from odoo.tools import mute_logger

# The race is a development script (scripts/ is not on the runtime import path): load it
# from its file.
_SCRIPT = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts", "race_confirm.py"
)
_spec = importlib.util.spec_from_file_location("customer_credit_race_confirm", _SCRIPT)
_race_confirm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_race_confirm)
run_race_any = _race_confirm.run_race_any


@tagged("post_install", "-at_install")
class TestCreditRace(TransactionCase):
    """Two transactions confirm orders of one customer at the same moment; together
    they exceed the limit. scripts/race_confirm.py commits its data from its own cursors
    and removes it after. While tests run, the test runner holds the registry class
    lock, so the race runs in a separate Odoo process with two threads."""

    def _race(self, without_lock=False, members=False):
        with mute_logger("odoo.service.model"):
            return run_race_any(
                self.registry,
                config.rcfile,
                hold=0.3,
                without_lock=without_lock,
                company_id=self.env.company.id,
                members=members,
            )

    def test_concurrent_confirmations_only_one_passes(self):
        report = self._race()
        self.assertEqual(report["passed"], 1, report)
        self.assertEqual(report["blocked"], 1, report)
        blocked = next(r for r in report["results"] if r["outcome"] == "blocked")
        self.assertIn("exceed the credit limit", " ".join(blocked["message"]))

    def test_without_lock_the_ledger_totals_still_serialize(self):
        # The same race with the lock disabled: the second confirmation writes the
        # customer's row of the exposure ledger's totals (tools/exposure_ledger.py),
        # which the first holds until it commits. It waits, fails to serialize, is
        # retried by Odoo and blocked. (Two members of a group write two rows: their
        # control below shows the race is real without the locks.)
        report = self._race(without_lock=True)
        self.assertEqual(report["passed"], 1, report)
        blocked = next(r for r in report["results"] if r["outcome"] == "blocked")
        self.assertGreaterEqual(blocked["attempts"], 2, report)

    def test_two_members_of_a_group_cannot_together_exceed_it(self):
        # Two customers, each within its own limit, one credit group whose limit admits
        # one of the two orders: the group lock lets exactly one through.
        report = self._race(members=True)
        self.assertEqual(report["passed"], 1, report)
        self.assertEqual(report["blocked"], 1, report)
        blocked = next(r for r in report["results"] if r["outcome"] == "blocked")
        self.assertIn("credit group Race Group over its limit", " ".join(blocked["message"]))

    def test_two_members_without_lock_both_pass(self):
        # Negative control: with the group lock disabled both members' orders pass,
        # which shows the race is real and the lock is what prevents it.
        report = self._race(without_lock=True, members=True)
        self.assertEqual(report["passed"], 2, report)
