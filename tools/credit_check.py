"""Credit check at quotation and confirmation time: pure logic, no ORM.

The model gathers the figures (exposure from ``_credit_exposure_by_partner``,
order amounts in company currency, the customer's profile) and this module
decides which reasons stand against the order. Every amount is in company
currency.
"""

from collections import namedtuple

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
