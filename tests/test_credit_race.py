from odoo.tests import TransactionCase, tagged

from odoo.addons.customer_credit.tools.race_confirm import run_race


@tagged("post_install", "-at_install")
class TestCreditRace(TransactionCase):
    """Two transactions confirm orders of one customer at the same moment; together
    they exceed the limit. Data is committed by separate cursors and removed after."""

    def test_concurrent_confirmations_only_one_passes(self):
        report = run_race(self.registry, hold=0.3, company_id=self.env.company.id)
        self.assertEqual(report["passed"], 1, report)
        self.assertEqual(report["blocked"], 1, report)
        blocked = next(r for r in report["results"] if r["outcome"] == "blocked")
        self.assertIn("exceed the credit limit", " ".join(blocked["message"]))

    def test_control_without_lock_both_pass(self):
        # Negative control: the same race with the lock disabled lets both through,
        # which shows the race is real and the lock is what prevents it.
        report = run_race(self.registry, hold=0.3, without_lock=True, company_id=self.env.company.id)
        self.assertEqual(report["passed"], 2, report)
