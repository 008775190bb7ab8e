"""Credit groups (集团授信): the exposure of a group is the sum of its members' exposure.

Pure SQL builders and arithmetic; the models are ``customer.credit.group`` and
``customer.credit.group.member``.
"""

from odoo.tools import SQL

from .credit_exposure import exposure_sql
from .exposure_ledger import TOTAL_TABLE

# Columns of :func:`group_exposure_sql` after the group id, in the order of the
# exposure components (see ``credit_exposure.EXPOSURE_COMPONENTS``).
GROUP_COMPONENTS = (
    "credit_receivable_not_due",
    "credit_overdue",
    "credit_unapplied",
    "credit_draft_invoices",
    "credit_orders_uninvoiced",
)


def group_exposure_sql(company_id, today, group_ids, tolerance_days=0):
    """Per group of ``group_ids`` (all of company ``company_id``): the sum of its
    members' exposure components, in one query.

    Columns: group_id, not_due, overdue, unapplied, draft_invoices, orders_uninvoiced,
    overdue_beyond_tolerance, member_count_with_exposure. A group whose members have
    nothing open has no row.
    """
    members = SQL(
        "SELECT partner_id FROM customer_credit_group_member WHERE group_id = ANY(%s)",
        list(group_ids),
    )
    exposure = exposure_sql(
        company_id,
        today,
        partner_ids=members,
        tolerance_days=tolerance_days,
    )
    return SQL(
        """
        SELECT m.group_id,
               SUM(e.not_due), SUM(e.overdue), SUM(e.unapplied),
               SUM(e.drafts), SUM(e.orders), SUM(e.beyond), COUNT(*)
          FROM (%(exposure)s) AS e(partner_id, not_due, overdue, days, unapplied, drafts,
                                   orders, beyond)
          JOIN customer_credit_group_member m
            ON m.partner_id = e.partner_id AND m.group_id = ANY(%(groups)s)
         GROUP BY m.group_id
        """,
        exposure=exposure,
        groups=list(group_ids),
    )


def group_values_from_row(row):
    """Map a row of :func:`group_exposure_sql` to the group's exposure fields."""
    _gid, not_due, overdue, unapplied, drafts, orders, beyond, _count = row
    values = dict(
        zip(
            GROUP_COMPONENTS,
            (float(not_due), float(overdue), float(unapplied), float(drafts), float(orders)),
            strict=True,
        )
    )
    values["credit_overdue_beyond_tolerance"] = float(beyond)
    return values


def empty_group_values():
    values = dict.fromkeys(GROUP_COMPONENTS, 0.0)
    values["credit_overdue_beyond_tolerance"] = 0.0
    return values


def member_share_percent(member_exposure, group_exposure):
    """A member's share of its group's exposure, in % (0 when the group has none)."""
    if not group_exposure or group_exposure <= 0:
        return 0.0
    return round(100.0 * member_exposure / group_exposure, 2)


def group_over_limit_sql(company_id):
    """Ids of the groups of ``company_id`` whose members' exposure exceeds the group
    limit (groups with a limit > 0 only), in one query over the exposure ledger's
    totals (one row per member)."""
    return SQL(
        """
        SELECT g.id
          FROM customer_credit_group g
          JOIN customer_credit_group_member m ON m.group_id = g.id
          JOIN %(totals)s t ON t.partner_id = m.partner_id AND t.company_id = g.company_id
         WHERE g.company_id = %(company)s AND g.active AND g.credit_limit > 0
         GROUP BY g.id
        HAVING SUM(t.amount) > MAX(g.credit_limit)
        """,
        totals=SQL.identifier(TOTAL_TABLE),
        company=company_id,
    )
