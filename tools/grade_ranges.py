"""Checks on credit grade score ranges (pure functions, no ORM)."""

SCORE_MIN = 0.0
SCORE_MAX = 100.0


def range_problems(ranges):
    """Return a list of (kind, a, b) problems for ``ranges``.

    ``ranges`` is an iterable of (code, score_min, score_max) with score_min
    inclusive and score_max exclusive (the top grade includes 100). Problems:
    ``("bounds", code, None)`` for a range outside 0–100 or empty,
    ``("overlap", code1, code2)``, ``("gap", low, high)`` for scores covered by
    no grade (low/high are the uncovered scores), in score order.
    """
    problems = []
    ordered = sorted(ranges, key=lambda r: (r[1], r[2]))
    for code, low, high in ordered:
        if low < SCORE_MIN or high > SCORE_MAX or low >= high:
            problems.append(("bounds", code, None))
    if not ordered:
        return problems
    if ordered[0][1] > SCORE_MIN:
        problems.append(("gap", SCORE_MIN, ordered[0][1]))
    for (code1, _low1, high1), (code2, low2, _high2) in zip(ordered, ordered[1:]):
        if low2 < high1:
            problems.append(("overlap", code1, code2))
        elif low2 > high1:
            problems.append(("gap", high1, low2))
    top = max(r[2] for r in ordered)
    if top < SCORE_MAX:
        problems.append(("gap", top, SCORE_MAX))
    return problems


def grade_for_score(ranges, score):
    """Code of the range holding ``score`` (top range includes 100), or None."""
    for code, low, high in ranges:
        if low <= score < high or (score == high == SCORE_MAX):
            return code
    return None
