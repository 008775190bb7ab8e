from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase
from odoo.tests import tagged

from ..tools.grade_ranges import grade_for_score
from ..tools.grade_ranges import range_problems


@tagged("post_install", "-at_install")
class TestCreditGrade(TransactionCase):
    def test_shipped_grades_cover_0_to_100(self):
        grades = self.env["customer.credit.grade"].search([])
        self.assertEqual(
            sorted(grades.mapped("code")), sorted(["AAA", "AA", "A", "BBB", "BB", "B", "C", "D"])
        )
        self.assertEqual(range_problems((g.code, g.score_min, g.score_max) for g in grades), [])
        Grade = self.env["customer.credit.grade"]
        self.assertEqual(Grade._grade_for_score(100).code, "AAA")
        self.assertEqual(Grade._grade_for_score(89.99).code, "AA")
        self.assertEqual(Grade._grade_for_score(0).code, "D")

    def test_overlap_is_refused(self):
        with self.assertRaises(ValidationError) as catcher:
            self.env.ref("customer_credit.grade_aa").score_min = 75
        self.assertIn("overlap", str(catcher.exception))
        self.env.invalidate_all()
        self.assertEqual(self.env.ref("customer_credit.grade_aa").score_min, 80)

    def test_gap_is_refused(self):
        with self.assertRaises(ValidationError) as catcher:
            self.env.ref("customer_credit.grade_aa").score_min = 85
        self.assertIn("No grade covers the scores from 80.0 to 85", str(catcher.exception))

    def test_out_of_bounds_is_refused(self):
        with self.assertRaises(ValidationError) as catcher:
            self.env.ref("customer_credit.grade_aaa").score_max = 120
        self.assertIn("within 0 to 100", str(catcher.exception))

    def test_pure_range_functions(self):
        self.assertEqual(range_problems([("X", 0, 50), ("Y", 50, 100)]), [])
        self.assertEqual(range_problems([("X", 0, 40), ("Y", 50, 100)]), [("gap", 40, 50)])
        self.assertEqual(range_problems([("X", 0, 60), ("Y", 50, 100)]), [("overlap", "X", "Y")])
        self.assertEqual(grade_for_score([("X", 0, 50), ("Y", 50, 100)], 100), "Y")
        self.assertEqual(grade_for_score([("X", 0, 50), ("Y", 50, 100)], 49.5), "X")
