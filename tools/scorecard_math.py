"""Credit scorecard maths (pure functions, no ORM).

A criterion turns a value into points (0-100) through a thresholds table: each threshold
is ``(value_from, points)`` and a value gets the points of the highest ``value_from`` it
reaches. Missing values (``None``) score nothing and lower the confidence instead: the
score is the weighted mean of the points of the criteria that have a value.
"""

WEIGHT_TOTAL = 100.0
WEIGHT_TOLERANCE = 0.01


def points_for_value(value, thresholds):
    """Points of ``value`` through ``thresholds`` [(value_from, points)], or None if missing.

    A value below every ``value_from`` gets 0 points.
    """
    if value is None:
        return None
    points = 0.0
    for value_from, threshold_points in sorted(thresholds, key=lambda t: t[0]):
        if value >= value_from:
            points = float(threshold_points)
        else:
            break
    return points


def score_criteria(criteria):
    """Score a list of criteria.

    ``criteria`` holds dicts with ``code``, ``weight``, ``value`` (None when missing),
    ``thresholds`` and ``mandatory``. Returns a dict with ``score`` (0-100, 2 decimals),
    ``confidence`` (% of the total weight that has a value), ``lines`` (one per criterion:
    code, value, points, weight, contribution, missing, mandatory; the contributions add
    up to the score) and ``missing`` / ``missing_mandatory`` (codes).
    """
    lines = []
    total_weight = sum(max(c["weight"], 0.0) for c in criteria)
    present_weight = 0.0
    for criterion in criteria:
        points = points_for_value(criterion["value"], criterion["thresholds"])
        if points is not None:
            present_weight += max(criterion["weight"], 0.0)
        lines.append(
            {
                "code": criterion["code"],
                "value": criterion["value"],
                "points": points,
                "weight": criterion["weight"],
                "missing": points is None,
                "mandatory": bool(criterion.get("mandatory")),
            }
        )
    for line in lines:
        if line["missing"] or not present_weight:
            line["contribution"] = 0.0
        else:
            line["contribution"] = round(line["points"] * line["weight"] / present_weight, 2)
    score = sum(line["contribution"] for line in lines)
    return {
        "score": round(min(max(score, 0.0), 100.0), 2),
        "confidence": round(present_weight * 100.0 / total_weight, 2) if total_weight else 0.0,
        "lines": lines,
        "missing": [line["code"] for line in lines if line["missing"]],
        "missing_mandatory": [
            line["code"] for line in lines if line["missing"] and line["mandatory"]
        ],
    }


def weights_add_up(weights):
    """True when ``weights`` add up to 100 (within a cent)."""
    return abs(sum(weights) - WEIGHT_TOTAL) <= WEIGHT_TOLERANCE


def safe_ratio(numerator, denominator, factor=1.0):
    """``numerator / denominator * factor``, None when an input is missing or zero-divided."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator * factor


def financial_ratios(statement):
    """Ratios from one period's figures (dict; a missing figure is None).

    current_ratio = current assets / current liabilities;
    debt_ratio (%) = total liabilities / total assets;
    net_margin (%) = net income / revenue;
    ocf_to_current_liabilities = operating cash flow / current liabilities;
    annual_revenue = revenue.
    """
    if not statement:
        return dict.fromkeys(
            (
                "current_ratio",
                "debt_ratio",
                "net_margin",
                "ocf_to_current_liabilities",
                "annual_revenue",
            )
        )
    get = statement.get
    return {
        "current_ratio": safe_ratio(get("current_assets"), get("current_liabilities")),
        "debt_ratio": safe_ratio(get("total_liabilities"), get("total_assets"), 100.0),
        "net_margin": safe_ratio(get("net_income"), get("revenue"), 100.0),
        "ocf_to_current_liabilities": safe_ratio(
            get("operating_cash_flow"), get("current_liabilities")
        ),
        "annual_revenue": get("revenue") if get("revenue") else None,
    }


def recommended_limit(
    annual_revenue, monthly_sales, revenue_pct, sales_months, cap, rounding=1000.0
):
    """Recommended credit limit: the lowest of ``revenue_pct`` % of the annual revenue and
    ``sales_months`` months of average sales, capped at ``cap`` (0 = no cap).

    A rule whose input or parameter is missing is left out; with neither revenue nor
    sales to size the limit on, nothing is recommended (0). Rounded down to ``rounding``.
    """
    candidates = []
    if annual_revenue and revenue_pct and revenue_pct > 0:
        candidates.append(annual_revenue * revenue_pct / 100.0)
    if monthly_sales and sales_months and sales_months > 0:
        candidates.append(monthly_sales * sales_months)
    if not candidates:
        return 0.0
    limit = max(min(candidates), 0.0)
    if cap and cap > 0:
        limit = min(limit, cap)
    if rounding and rounding > 0:
        limit = (limit // rounding) * rounding
    return float(limit)


def confidence_label(confidence):
    """'high' (>= 85 %), 'medium' (>= 60 %) or 'low'."""
    if confidence >= 85.0:
        return "high"
    if confidence >= 60.0:
        return "medium"
    return "low"
