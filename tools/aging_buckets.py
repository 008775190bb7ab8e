"""Aging bucket maths (pure functions, no ORM).

A bucket specification is a text such as ``"1-30, 31-60, 61-90, 91-120, 121+"``:
ranges of days past the reference date (the due date or the invoice date),
inclusive, separated by commas or semicolons. ``N+`` is open-ended. Every
report gets a leading bucket for the days before the first range (``not due``
when aging by due date), and an open-ended ``over N`` bucket is added when the
last range is closed, so that every open item falls in exactly one bucket.
"""

import re
from collections import namedtuple

DEFAULT_BUCKET_SPEC = "1-30, 31-60, 61-90, 91-120, 121+"
# Columns available on the on-screen summary (leading bucket included).
MAX_BUCKETS = 10

Bucket = namedtuple("Bucket", "index days_from days_to")
"""One column. ``days_from``/``days_to`` are inclusive; None means unbounded."""

_RANGE_RE = re.compile(r"^(\d+)\s*(?:-|–|—|\.\.)\s*(\d+)$")
_OPEN_RE = re.compile(r"^(?:(\d+)\s*\+|>\s*(\d+))$")


class BucketSpecError(ValueError):
    """A bucket specification that cannot be used; ``kind`` names the problem.

    Kinds: ``empty``, ``syntax`` (token), ``order`` (token), ``overlap`` (a, b),
    ``gap`` (a, b), ``open_not_last`` (token), ``start`` (token), ``too_many`` (count).
    """

    def __init__(self, kind, **params):
        super().__init__(kind, params)
        self.kind = kind
        self.params = params


def parse_bucket_spec(spec):
    """Parse ``spec`` into a list of (days_from, days_to) ranges, days_to None = open.

    Raise :class:`BucketSpecError` for an empty list, a token that is not a range,
    a range ending before it starts, overlapping ranges, a gap between ranges, an
    open range that is not the last one, a first range not starting at 0 or 1,
    or more ranges than the summary has columns.
    """
    tokens = [t.strip() for t in re.split(r"[,;\n]", spec or "") if t.strip()]
    if not tokens:
        raise BucketSpecError("empty")
    ranges = []
    for token in tokens:
        match = _RANGE_RE.match(token)
        if match:
            low, high = int(match.group(1)), int(match.group(2))
            if high < low:
                raise BucketSpecError("order", token=token)
            ranges.append((low, high, token))
            continue
        match = _OPEN_RE.match(token)
        if match:
            if match.group(1) is not None:
                low = int(match.group(1))
            else:
                low = int(match.group(2)) + 1
            ranges.append((low, None, token))
            continue
        if token.isdigit():
            ranges.append((int(token), int(token), token))
            continue
        raise BucketSpecError("syntax", token=token)
    ranges.sort(key=lambda r: r[0])
    for (_low1, high1, token1), (low2, _high2, token2) in zip(ranges, ranges[1:]):
        if high1 is None:
            raise BucketSpecError("open_not_last", token=token1)
        if low2 <= high1:
            raise BucketSpecError("overlap", first=token1, second=token2)
        if low2 > high1 + 1:
            raise BucketSpecError("gap", first=token1, second=token2)
    if ranges[0][0] not in (0, 1):
        raise BucketSpecError("start", token=ranges[0][2])
    result = [(low, high) for low, high, _token in ranges]
    if result[-1][1] is not None:
        result.append((result[-1][1] + 1, None))
    if len(result) + 1 > MAX_BUCKETS:
        raise BucketSpecError("too_many", count=len(result) + 1, maximum=MAX_BUCKETS)
    return result


def build_buckets(ranges):
    """Columns for ``ranges``: a leading bucket for the days before the first range."""
    buckets = [Bucket(0, None, ranges[0][0] - 1)]
    for index, (low, high) in enumerate(ranges, start=1):
        buckets.append(Bucket(index, low, high))
    return buckets


def bucket_index(buckets, days):
    """Index of the bucket holding an item ``days`` past its reference date."""
    for bucket in buckets:
        low_ok = bucket.days_from is None or days >= bucket.days_from
        high_ok = bucket.days_to is None or days <= bucket.days_to
        if low_ok and high_ok:
            return bucket.index
    raise ValueError(days)  # unreachable for buckets from build_buckets


def reference_days(as_of, reference_date):
    """Whole days from ``reference_date`` to ``as_of`` (negative: not yet reached)."""
    return (as_of - reference_date).days
