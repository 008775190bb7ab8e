from odoo.tests import BaseCase
from odoo.tests import tagged

from ..tools.aging_buckets import DEFAULT_BUCKET_SPEC
from ..tools.aging_buckets import BucketSpecError
from ..tools.aging_buckets import bucket_index
from ..tools.aging_buckets import build_buckets
from ..tools.aging_buckets import parse_bucket_spec


@tagged("post_install", "-at_install")
class TestAgingBucketMaths(BaseCase):
    """Pure bucket maths, no database."""

    def test_default_buckets(self):
        ranges = parse_bucket_spec(DEFAULT_BUCKET_SPEC)
        self.assertEqual(ranges, [(1, 30), (31, 60), (61, 90), (91, 120), (121, None)])
        buckets = build_buckets(ranges)
        self.assertEqual(
            [(b.days_from, b.days_to) for b in buckets],
            [(None, 0), (1, 30), (31, 60), (61, 90), (91, 120), (121, None)],
        )
        expected = {
            -400: 0,
            -1: 0,
            0: 0,
            1: 1,
            30: 1,
            31: 2,
            60: 2,
            61: 3,
            90: 3,
            91: 4,
            120: 4,
            121: 5,
            5000: 5,
        }
        for days, index in expected.items():
            self.assertEqual(bucket_index(buckets, days), index, days)

    def test_closed_last_range_gets_an_over_bucket(self):
        self.assertEqual(parse_bucket_spec("1-15; 16-45"), [(1, 15), (16, 45), (46, None)])
        self.assertEqual(parse_bucket_spec("0-30,31-60,>60"), [(0, 30), (31, 60), (61, None)])
        # unordered input is sorted
        self.assertEqual(parse_bucket_spec("31-60, 1-30, 61+"), [(1, 30), (31, 60), (61, None)])

    def test_invalid_specs(self):
        cases = {
            "": "empty",
            " , ;": "empty",
            "1-30, abc": "syntax",
            "30-1": "order",
            "1-30, 25-60": "overlap",
            "1-30, 30-60": "overlap",
            "1-30, 40-60": "gap",
            "1-30, 31+, 61-90": "open_not_last",
            "5-30": "start",
            ",".join(f"{n}-{n}" for n in range(1, 11)): "too_many",
        }
        for spec, kind in cases.items():
            with self.assertRaises(BucketSpecError, msg=spec) as caught:
                parse_bucket_spec(spec)
            self.assertEqual(caught.exception.kind, kind, spec)
