from datetime import date

from odoo.tests import BaseCase
from odoo.tests import tagged

from ..tools.credit_history import months_between
from ..tools.scorecard_math import confidence_label
from ..tools.scorecard_math import financial_ratios
from ..tools.scorecard_math import points_for_value
from ..tools.scorecard_math import recommended_limit
from ..tools.scorecard_math import score_criteria
from ..tools.scorecard_math import weights_add_up

CURRENT_RATIO = [(0, 10), (0.8, 35), (1, 55), (1.5, 80), (2, 100)]
DEBT_RATIO = [(0, 100), (40, 80), (60, 50), (75, 25), (90, 0)]


@tagged("post_install", "-at_install")
class TestScorecardMath(BaseCase):
    def test_points_through_thresholds(self):
        self.assertEqual(points_for_value(1.2, CURRENT_RATIO), 55)
        self.assertEqual(points_for_value(1.5, CURRENT_RATIO), 80, "a threshold is included")
        self.assertEqual(points_for_value(9, CURRENT_RATIO), 100)
        self.assertEqual(points_for_value(-1, CURRENT_RATIO), 0, "below every threshold")
        self.assertIsNone(points_for_value(None, CURRENT_RATIO))
        # lower is better: thresholds going down
        self.assertEqual(points_for_value(35, DEBT_RATIO), 100)
        self.assertEqual(points_for_value(65, DEBT_RATIO), 50)
        # unsorted thresholds give the same points
        self.assertEqual(points_for_value(65, list(reversed(DEBT_RATIO))), 50)

    def test_weighted_score_and_explanation(self):
        result = score_criteria(
            [
                {"code": "cr", "weight": 60, "value": 1.5, "thresholds": CURRENT_RATIO},
                {"code": "dr", "weight": 40, "value": 65, "thresholds": DEBT_RATIO},
            ]
        )
        # 80 * 0.6 + 50 * 0.4
        self.assertEqual(result["score"], 68.0)
        self.assertEqual(result["confidence"], 100.0)
        self.assertEqual([line["contribution"] for line in result["lines"]], [48.0, 20.0])
        self.assertEqual(result["missing"], [])

    def test_missing_inputs_lower_confidence_not_score(self):
        result = score_criteria(
            [
                {"code": "cr", "weight": 60, "value": 2, "thresholds": CURRENT_RATIO},
                {
                    "code": "dr",
                    "weight": 40,
                    "value": None,
                    "thresholds": DEBT_RATIO,
                    "mandatory": True,
                },
            ]
        )
        self.assertEqual(result["score"], 100.0, "the score rests on the inputs present")
        self.assertEqual(result["confidence"], 60.0)
        self.assertEqual(result["missing"], ["dr"])
        self.assertEqual(result["missing_mandatory"], ["dr"])
        self.assertEqual(result["lines"][1]["contribution"], 0.0)
        self.assertEqual(confidence_label(60.0), "medium")
        self.assertEqual(confidence_label(90.0), "high")
        self.assertEqual(confidence_label(10.0), "low")

    def test_nothing_known_scores_zero(self):
        result = score_criteria(
            [{"code": "cr", "weight": 100, "value": None, "thresholds": CURRENT_RATIO}]
        )
        self.assertEqual((result["score"], result["confidence"]), (0.0, 0.0))

    def test_weights_add_up(self):
        self.assertTrue(weights_add_up([40, 35, 25]))
        self.assertTrue(weights_add_up([33.333, 33.333, 33.334]))
        self.assertFalse(weights_add_up([40, 35, 20]))

    def test_financial_ratios(self):
        ratios = financial_ratios(
            {
                "current_assets": 300.0,
                "total_assets": 1000.0,
                "current_liabilities": 200.0,
                "total_liabilities": 600.0,
                "revenue": 2000.0,
                "net_income": 100.0,
                "operating_cash_flow": 50.0,
            }
        )
        self.assertEqual(ratios["current_ratio"], 1.5)
        self.assertEqual(ratios["debt_ratio"], 60.0)
        self.assertEqual(ratios["net_margin"], 5.0)
        self.assertEqual(ratios["ocf_to_current_liabilities"], 0.25)
        self.assertEqual(ratios["annual_revenue"], 2000.0)
        missing = financial_ratios({"current_assets": 300.0, "current_liabilities": None})
        self.assertIsNone(missing["current_ratio"], "no division by a missing figure")
        self.assertEqual(set(financial_ratios(None).values()), {None})

    def test_recommended_limit(self):
        # min(10 % of 5,000,000 = 500,000; 2 months of 120,000 = 240,000), cap 1,000,000
        self.assertEqual(recommended_limit(5_000_000, 120_000, 10, 2, 1_000_000), 240_000)
        # the cap wins
        self.assertEqual(recommended_limit(50_000_000, 900_000, 10, 2, 1_000_000), 1_000_000)
        # without sales history the revenue rule alone decides
        self.assertEqual(recommended_limit(5_000_000, None, 10, 2, 0), 500_000)
        # nothing to size the limit on
        self.assertEqual(recommended_limit(None, None, 10, 2, 1_000_000), 0)
        # rounded down to the thousand
        self.assertEqual(recommended_limit(None, 12_345.67, 10, 1, 0), 12_000)
        # a grade without credit
        self.assertEqual(recommended_limit(5_000_000, 100_000, 0, 0, 0), 0)

    def test_months_between(self):
        self.assertEqual(months_between(date(2024, 1, 15), date(2025, 1, 15)), 12)
        self.assertEqual(months_between(date(2024, 1, 15), date(2025, 1, 14)), 11)
        self.assertEqual(months_between(date(2025, 2, 1), date(2025, 1, 1)), 0)
