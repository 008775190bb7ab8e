from odoo.tests import BaseCase
from odoo.tests import tagged

from ..tools.credit_check import CreditInput
from ..tools.credit_check import CreditReason
from ..tools.credit_check import credit_outcome
from ..tools.credit_check import credit_reasons
from ..tools.credit_check import group_totals
from ..tools.credit_check import lock_keys
from ..tools.credit_check import reasons_covered


def _input(**values):
    base = dict(
        policy="block",
        limit=10000.0,
        exposure=0.0,
        order_amount=0.0,
        others_amount=0.0,
        overdue_amount=0.0,
        overdue_days=0,
        tolerance_days=30,
        hold=False,
        hold_reason="",
        grade_blocks=False,
        grade_name="",
    )
    base.update(values)
    return CreditInput(**base)


@tagged("post_install", "-at_install")
class TestCreditCheckPure(BaseCase):
    def test_within_limit_has_no_reason(self):
        self.assertEqual(credit_reasons(_input(exposure=4000, order_amount=6000)), [])

    def test_over_limit_counts_other_orders_of_the_call(self):
        reasons = credit_reasons(_input(exposure=4000, order_amount=5000, others_amount=3345))
        self.assertEqual([r.code for r in reasons], ["over_limit"])
        self.assertAlmostEqual(reasons[0].amount, 2345.0)

    def test_rounding_tolerance(self):
        self.assertEqual(credit_reasons(_input(exposure=10000.004)), [])

    def test_overdue_only_beyond_tolerance(self):
        self.assertEqual(credit_reasons(_input(overdue_amount=5000, overdue_days=30)), [])
        reasons = credit_reasons(_input(overdue_amount=5000, overdue_days=45))
        self.assertEqual(reasons, [CreditReason("overdue", 5000, 45, "")])

    def test_hold_grade_and_missing_limit(self):
        reasons = credit_reasons(
            _input(limit=0, hold=True, hold_reason="Bankrupt", grade_blocks=True, grade_name="D")
        )
        self.assertEqual(
            reasons,
            [
                CreditReason("hold", detail="Bankrupt"),
                CreditReason("grade", detail="D"),
                CreditReason("no_limit"),
            ],
        )

    def test_no_limit_under_warn_is_unlimited(self):
        self.assertEqual(credit_reasons(_input(policy="warn", limit=0, order_amount=1e9)), [])

    def test_policy_none_checks_only_the_hold(self):
        self.assertEqual(
            credit_reasons(_input(policy="none", grade_blocks=True, limit=0, order_amount=1e9)), []
        )
        self.assertEqual(
            credit_reasons(_input(policy="none", hold=True, hold_reason="Fraud", limit=0)),
            [CreditReason("hold", detail="Fraud")],
        )

    def test_outcome(self):
        hold = [CreditReason("hold")]
        over = [CreditReason("over_limit", 10)]
        # a hold that only warns is not a hold: it blocks whatever the policy
        self.assertEqual(credit_outcome("block", hold), "blocked")
        self.assertEqual(credit_outcome("warn", hold), "blocked")
        self.assertEqual(credit_outcome("none", hold), "blocked")
        self.assertEqual(credit_outcome("block", over), "blocked")
        self.assertEqual(credit_outcome("warn", over), "warning")
        self.assertEqual(credit_outcome("none", over), "ok")
        self.assertEqual(credit_outcome("block", []), "ok")

    def test_release_covers_only_its_reasons(self):
        self.assertTrue(reasons_covered(["over_limit"], [CreditReason("over_limit", 10)]))
        self.assertTrue(reasons_covered(["over_limit", "overdue"], []))
        self.assertFalse(
            reasons_covered(["over_limit"], [CreditReason("over_limit", 1), CreditReason("hold")])
        )

    def test_group_totals_and_lock_keys(self):
        self.assertEqual(group_totals([(1, 2.0), (2, 3.0), (1, 4.0)]), {1: 6.0, 2: 3.0})
        self.assertEqual(lock_keys(1, 42), (0x43430001, 42))
        self.assertLess(lock_keys(0xFFFF, 1)[0], 2**31)
