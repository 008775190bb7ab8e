"""Credit check at quotation and confirmation time: pure logic, no ORM.

The model gathers the figures (exposure from ``_credit_exposure_by_partner``,
order amounts in company currency, the customer's profile) and this module
decides which reasons stand against the order. Every amount is in company
currency.
"""

from collections import namedtuple

from odoo.tools import SQL

from .credit_exposure import customer_totals_sql
from .credit_exposure import tolerance_cutoff

# Reason codes, in the order they are shown to the user.
REASON_HOLD = "hold"
REASON_GRADE = "grade"
REASON_NO_LIMIT = "no_limit"
REASON_OVER_LIMIT = "over_limit"
REASON_OVERDUE = "overdue"
REASON_GROUP_OVER_LIMIT = "group_over_limit"
REASON_GROUP_HOLD = "group_hold"
# Reasons that block whatever the policy.
HOLD_CODES = (REASON_HOLD, REASON_GROUP_HOLD)
REASON_CODES = (
    REASON_HOLD,
    REASON_GROUP_HOLD,
    REASON_GRADE,
    REASON_NO_LIMIT,
    REASON_OVER_LIMIT,
    REASON_GROUP_OVER_LIMIT,
    REASON_OVERDUE,
)
OUTCOME_SEVERITY = {"none": 0, "ok": 1, "warning": 2, "blocked": 3}

# code: one of REASON_CODES; amount: the excess over the limit or the overdue
# amount (0.0 otherwise); days: oldest overdue age; detail: hold reason or grade.
CreditReason = namedtuple("CreditReason", "code amount days detail", defaults=(0.0, 0, ""))

CreditInput = namedtuple(
    "CreditInput",
    [
        "policy",  # 'none' | 'warn' | 'block'
        "limit",  # credit limit, 0 = none set
        "exposure",  # current exposure (receivables, drafts, confirmed orders)
        "order_amount",  # this order
        "others_amount",  # other orders confirmed in the same call
        "overdue_amount",  # overdue by more than the tolerance (what counts)
        "overdue_days",  # age of the oldest overdue item
        "tolerance_days",  # company tolerance before overdue counts
        "hold",
        "hold_reason",
        "grade_blocks",
        "grade_name",
    ],
)


def credit_reasons(data, rounding=0.01):
    """Reasons standing against an order, as a list of :class:`CreditReason`.

    - a hold always counts, whatever the policy;
    - policy 'none': nothing else is checked;
    - a blocking grade always counts under 'warn' and 'block';
    - a 'block' policy without a limit fails with ``no_limit`` (a block policy
      requires a limit); under 'warn' no limit means no limit check;
    - over limit when exposure + this order + the other orders of the call
      exceed the limit by more than the currency rounding;
    - overdue when something is overdue for more than the tolerance.
    """
    reasons = []
    if data.hold:
        # A hold blocks whatever the policy: a hold that only warns is not a hold.
        reasons.append(CreditReason(REASON_HOLD, detail=data.hold_reason or ""))
    if data.policy not in ("warn", "block"):
        return reasons
    if data.grade_blocks:
        reasons.append(CreditReason(REASON_GRADE, detail=data.grade_name or ""))
    if data.limit and data.limit > 0:
        excess = data.exposure + data.order_amount + data.others_amount - data.limit
        if excess > rounding / 2:
            reasons.append(CreditReason(REASON_OVER_LIMIT, amount=excess))
    elif data.policy == "block":
        reasons.append(CreditReason(REASON_NO_LIMIT))
    if data.overdue_amount > rounding / 2 and data.overdue_days > (data.tolerance_days or 0):
        reasons.append(
            CreditReason(REASON_OVERDUE, amount=data.overdue_amount, days=data.overdue_days)
        )
    return reasons


# Result of the credit check of one document (an order, an invoice).
#   outcome: 'none' (not checked), 'ok', 'warning', 'blocked'
#   values: exposure components of the customer; data: the CreditInput;
#   group: the GroupInput of the customer's credit group (None without one)
CreditVerdict = namedtuple(
    "CreditVerdict", "outcome policy reasons data values currency group", defaults=(None,)
)

# The credit group of a customer, as the check sees it (amounts in company currency).
GroupInput = namedtuple(
    "GroupInput",
    [
        "name",
        "policy",  # 'warn' | 'block'
        "limit",  # 0 = no group limit
        "exposure",  # every member's exposure
        "order_amount",  # this order
        "others_amount",  # the other members' orders confirmed in the same call
    ],
)


def group_reasons(group, rounding=0.01):
    """Reasons of a customer's credit group against an order: the group would exceed
    its limit. ``group`` is a :class:`GroupInput` or None (no group)."""
    if not group or not group.limit or group.limit <= 0:
        return []
    excess = group.exposure + group.order_amount + group.others_amount - group.limit
    if excess > rounding / 2:
        return [CreditReason(REASON_GROUP_OVER_LIMIT, amount=excess, detail=group.name)]
    return []


def worst_outcome(*outcomes):
    """The most severe of several outcomes ('blocked' > 'warning' > 'ok' > 'none')."""
    return max(outcomes, key=lambda outcome: OUTCOME_SEVERITY[outcome])


def credit_outcome(policy, reasons):
    """'ok', 'warning' or 'blocked' for a policy and its reasons (a hold always blocks)."""
    if any(reason.code in HOLD_CODES for reason in reasons):
        return "blocked"
    if not reasons or policy not in ("warn", "block"):
        return "ok"
    return "blocked" if policy == "block" else "warning"


def outcome_sql(
    policy,
    hold,
    grade_blocks,
    limit,
    exposure,
    amount,
    late,
    rounding,
    group_limit,
    group_policy,
    group_exposure,
    group_hold,
):
    """The outcome of :func:`credit_reasons`, :func:`credit_outcome` and
    :func:`group_reasons` (the worst of the customer's and its group's, as
    ``res.partner._credit_verdicts`` combines them) as one SQL expression, for
    searches over many documents at once. Arguments are SQL expressions (``group_*``
    NULL without a group; ``group_hold``: another member is on automatic hold and the
    company holds the whole group). ``tests/test_sale_credit.py`` checks every
    combination against the Python functions.
    """
    half = rounding / 2
    over = SQL("(%s > 0 AND %s + %s - %s > %s)", limit, exposure, amount, limit, half)
    no_limit = SQL(
        "(NOT COALESCE(%s > 0, FALSE) AND %s = 'block' AND NOT COALESCE(%s > 0, FALSE))",
        limit,
        policy,
        group_limit,
    )
    own = SQL(
        """CASE WHEN COALESCE(%(hold)s, FALSE) THEN 3
                WHEN %(policy)s = 'none' THEN 0
                WHEN %(policy)s NOT IN ('warn', 'block') THEN 1
                WHEN COALESCE(%(grade)s, FALSE) OR %(over)s OR %(no_limit)s OR %(late)s
                THEN CASE WHEN %(policy)s = 'block' THEN 3 ELSE 2 END
                ELSE 1 END""",
        hold=hold,
        policy=policy,
        grade=grade_blocks,
        over=over,
        no_limit=no_limit,
        late=SQL("COALESCE(%s, FALSE)", late),
    )
    group = SQL(
        """CASE WHEN COALESCE(%(hold)s, FALSE) THEN 3
                WHEN %(limit)s > 0 AND %(exposure)s + %(amount)s - %(limit)s > %(half)s
                THEN CASE WHEN %(policy)s = 'block' THEN 3
                          WHEN %(policy)s = 'warn' THEN 2 ELSE 1 END
                ELSE 0 END""",
        hold=group_hold,
        limit=group_limit,
        exposure=group_exposure,
        amount=amount,
        half=half,
        policy=group_policy,
    )
    return SQL("(ARRAY['none', 'ok', 'warning', 'blocked'])[GREATEST(%s, %s) + 1]", own, group)


def quotation_outcomes_sql(
    company_id, today, tolerance_days, rounding, profile, hold_all, exclude_ids
):
    """(order id, outcome) of every open quotation of a company, in one query: what
    the "Credit Blocked" / "Credit Warning" filters search on.

    The quotation's amount is its total at its own rate; quotations whose amount
    needs more (paid online, a currency without a rate) are in ``exclude_ids`` and
    are checked one by one by the caller. ``profile``: SQL expressions of the
    commercial partner ``cp``'s company-dependent fields with their fallbacks
    (``policy``, ``limit``, ``hold``, ``hold_auto``, ``grade_id``).
    """
    # Every customer's totals, joined where needed: one hash of the company's totals
    # is cheaper than first collecting the 100,000 customers of the quotations.
    totals = customer_totals_sql(company_id)
    return SQL(
        """
        WITH q AS MATERIALIZED (
            -- each quotation with its customer's settings, read once: the verdict
            -- below uses them up to five times, and PostgreSQL would read the JSON again
            SELECT so.id, cp.id AS cid,
                   GREATEST(so.amount_total / COALESCE(NULLIF(so.currency_rate, 0), 1), 0)
                       AS amount,
                   %(policy)s AS policy, %(hold)s AS hold, %(limit)s AS credit_limit,
                   %(grade_id)s AS grade_id
              FROM sale_order so
              JOIN res_partner p ON p.id = so.partner_id
              JOIN res_partner cp ON cp.id = p.commercial_partner_id
             WHERE so.company_id = %(company_id)s
               AND so.state IN ('draft', 'sent')
               AND NOT so.id = ANY(%(exclude)s)
        ), m AS MATERIALIZED (
            SELECT gm.partner_id, gm.group_id
              FROM customer_credit_group_member gm
              JOIN customer_credit_group g ON g.id = gm.group_id
             WHERE g.active
               AND gm.group_id IN (SELECT group_id FROM customer_credit_group_member
                                    WHERE company_id = %(company_id)s
                                      AND partner_id IN (SELECT cid FROM q))
        ), e AS NOT MATERIALIZED (%(totals)s
        ), g AS (
            SELECT m.group_id, SUM(e.total) AS exposure,
                   ARRAY_AGG(m.partner_id) FILTER (
                       WHERE %(hold_all)s AND %(held)s AND %(held_auto)s) AS held
              FROM m
              JOIN res_partner cp ON cp.id = m.partner_id
              LEFT JOIN e ON e.partner_id = m.partner_id
             GROUP BY m.group_id
        )
        SELECT q.id, %(outcome)s
          FROM q
          LEFT JOIN e ON e.partner_id = q.cid
          LEFT JOIN customer_credit_grade grade ON grade.id = q.grade_id
          LEFT JOIN m ON m.partner_id = q.cid
          LEFT JOIN customer_credit_group cg ON cg.id = m.group_id
          LEFT JOIN g ON g.group_id = m.group_id
        """,
        company_id=company_id,
        exclude=list(exclude_ids),
        totals=totals,
        hold_all=bool(hold_all),
        held=profile["hold"],
        held_auto=profile["hold_auto"],
        policy=profile["policy"],
        hold=profile["hold"],
        limit=profile["limit"],
        grade_id=profile["grade_id"],
        outcome=outcome_sql(
            policy=SQL("q.policy"),
            hold=SQL("q.hold"),
            grade_blocks=SQL("grade.block_sales"),
            limit=SQL("q.credit_limit"),
            exposure=SQL("COALESCE(e.total, 0)"),
            amount=SQL("q.amount"),
            late=SQL("e.debt_due < %s", tolerance_cutoff(today, tolerance_days)),
            rounding=rounding,
            group_limit=SQL("cg.credit_limit"),
            group_policy=SQL("cg.credit_control_policy"),
            group_exposure=SQL("COALESCE(g.exposure, 0)"),
            group_hold=SQL("(g.held IS NOT NULL AND g.held <> ARRAY[q.cid])"),
        ),
    )


def reasons_covered(released_codes, reasons):
    """True when a release granted for ``released_codes`` covers ``reasons``.

    A release covers the reasons it was asked for: a new reason that appears
    after approval (a hold, an overdue invoice) blocks again.
    """
    return {reason.code for reason in reasons} <= set(released_codes)


def group_totals(amounts_by_key):
    """Sum amounts per key (a customer, a credit group...).

    ``amounts_by_key`` is an iterable of (key, amount); returns {key: total}.
    """
    totals = {}
    for key, amount in amounts_by_key:
        totals[key] = totals.get(key, 0.0) + amount
    return totals


def group_lock_keys(company_id, group_id):
    """Two int4 keys of the advisory lock of a (company, credit group) pair ('CG')."""
    return (0x43470000 | (company_id & 0xFFFF), group_id)


def lock_keys(company_id, partner_id):
    """Two int4 keys of the transaction advisory lock of a (company, customer) pair.

    The first key carries a namespace ('CC' in the high half) so the lock does not
    collide with other modules' two-key advisory locks.
    """
    return (0x43430000 | (company_id & 0xFFFF), partner_id)


def escalation_lock_keys(company_id):
    """Two int4 keys of the advisory lock of a company's escalation run ('CE')."""
    return (0x43450000 | (company_id & 0xFFFF), 0)
