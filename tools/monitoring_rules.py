"""Escalation rules without ORM: what a run does for one customer.

The models call these; they can be read and tested on their own.
"""

from collections import namedtuple

from odoo.tools import SQL

from .receivables import RECEIVABLE_ARRAY_SQL

# What a level does, in the order the actions are taken.
LevelSpec = namedtuple(
    "LevelSpec",
    "id days email activity_salesperson activity_manager set_warning credit_hold "
    "collection_case template_id channel attach_statement attach_invoices",
    defaults=("email", False, False),
)

PartnerPlan = namedtuple(
    "PartnerPlan",
    "partner_id email_level_id salesperson_level_id manager_level_id warning_level_id "
    "hold_level_id case_level_id case_move_ids top_level_by_move",
)


def plan_partner_actions(partner_id, pairs, levels):
    """Decide what to do for one customer from its new (invoice, level) pairs.

    :param pairs: iterable of ``(move_id, level_id)`` not applied yet, all of this
        customer; a move may reach several levels at once (the run was missed,
        the levels were just configured, the ledger was imported).
    :param levels: ``{level_id: LevelSpec}`` of the company.
    :return: a :class:`PartnerPlan`.

    Rules, so that a customer never gets a burst of messages and nothing is lost
    when several levels are reached at once:

    - every action asked by any new level applies, once per customer and run:
      one email (the template of the most severe level that sends one), one
      activity per person, the warning, the hold, the collection case;
    - per invoice only its highest new level counts as *reached*; the lower
      ones are recorded as skipped, so that the log tells what happened.
    """
    top_level_by_move = {}
    reached = set()
    for move_id, level_id in pairs:
        reached.add(level_id)
        top = top_level_by_move.get(move_id)
        if top is None or levels[level_id].days > levels[top].days:
            top_level_by_move[move_id] = level_id
    reached_specs = {levels[level_id] for level_id in reached}

    def most_severe(specs, flag):
        chosen = [spec for spec in specs if getattr(spec, flag)]
        return max(chosen, key=lambda spec: spec.days).id if chosen else False

    case_levels = {spec.id for spec in reached_specs if spec.collection_case}
    case_move_ids = sorted({move_id for move_id, level_id in pairs if level_id in case_levels})
    return PartnerPlan(
        partner_id=partner_id,
        email_level_id=most_severe(
            [spec for spec in reached_specs if spec.template_id or spec.channel != "email"],
            "email",
        ),
        salesperson_level_id=most_severe(reached_specs, "activity_salesperson"),
        manager_level_id=most_severe(reached_specs, "activity_manager"),
        warning_level_id=most_severe(reached_specs, "set_warning"),
        hold_level_id=most_severe(reached_specs, "credit_hold"),
        case_level_id=most_severe(reached_specs, "collection_case"),
        case_move_ids=case_move_ids,
        top_level_by_move=top_level_by_move,
    )


# Severity of a watchlist row, 0-100 points: what ranks the watchlist and the digest.
# (indicator, points at most, value giving no point, value giving every point)
WATCH_SEVERITY_POINTS = (
    ("overdue_ratio_pct", 35.0, 0.0, 100.0),  # share of the open receivable overdue
    ("utilisation_pct", 25.0, 80.0, 150.0),  # credit used, from 80 % to 150 % of the limit
    ("dso_change_days", 15.0, 0.0, 60.0),  # DSO rise over 90 days
    ("score_drop", 15.0, 0.0, 30.0),  # score points lost since the last evaluation
)
# The remaining points go to the amount at stake: the row's rank by overdue amount
# among the company's rows (the largest overdue amount gets all of them).
WATCH_SEVERITY_AMOUNT_POINTS = 10.0


def watch_severity_sql(alias, amount_rank):
    """SQL expression of the severity of watchlist row ``alias`` (see
    :data:`WATCH_SEVERITY_POINTS`); ``amount_rank`` (SQL) is its percent rank (0-1) by
    overdue amount in its company. Utilisation counts only with a limit."""
    terms = []
    for column, points, low, high in WATCH_SEVERITY_POINTS:
        value = SQL.identifier(alias, column)
        if column == "utilisation_pct":
            value = SQL(
                "CASE WHEN %s > 0 THEN %s ELSE 0 END", SQL.identifier(alias, "credit_limit"), value
            )
        terms.append(
            SQL(
                "%s * LEAST(GREATEST((COALESCE(%s, 0) - %s) / %s, 0), 1)",
                points,
                value,
                low,
                high - low,
            )
        )
    terms.append(SQL("%s * COALESCE(%s, 0)", WATCH_SEVERITY_AMOUNT_POINTS, amount_rank))
    return SQL("ROUND((%s)::numeric, 1)", SQL(" + ").join(terms))


def watch_reasons_sql(alias, utilisation_pct, overdue_ratio_pct, dso_increase_days, score_drop):
    """``[(reason column, SQL condition)]``: why row ``alias`` of the watchlist is watched,
    given the company's thresholds. A customer is on the watchlist for any of them."""

    def col(name):
        return SQL.identifier(alias, name)

    return [
        (
            "reason_utilisation",
            SQL(
                "%s > 0 AND %s >= %s", col("credit_limit"), col("utilisation_pct"), utilisation_pct
            ),
        ),
        (
            "reason_overdue_ratio",
            SQL(
                "%s > 0 AND %s >= %s",
                col("overdue_amount"),
                col("overdue_ratio_pct"),
                overdue_ratio_pct,
            ),
        ),
        (
            "reason_dso",
            SQL(
                "%s > 0 AND %s >= %s",
                col("dso_days_previous"),
                col("dso_change_days"),
                dso_increase_days,
            ),
        ),
        (
            "reason_score",
            SQL(
                "%s > 0 AND %s IS NOT NULL AND %s IS NOT NULL AND %s - %s >= %s",
                score_drop,
                col("score_previous"),
                col("score"),
                col("score_previous"),
                col("score"),
                score_drop,
            ),
        ),
    ]


# The watchlist reads the whole posted receivable history (DSO now and 90 days ago):
# a covering index lets it read ~100 bytes per line instead of the table's rows
# (index-only scan, about half the time at 1M lines, docs/benchmarks.md). Created by
# ``customer.credit.watchlist.init()``; the WHERE clause of :func:`watch_ledger_sql`
# implies its predicate. (name, table, columns, predicate)
WATCH_LEDGER_INDEX = (
    "account_move_line_credit_watch_idx",
    "account_move_line",
    "(account_id, company_id, date) INCLUDE (partner_id, journal_id, balance)",
    "parent_state = 'posted'",
)


def watch_ledger_sql(company_id, today, d90, d180):
    """Per commercial partner, from its posted receivable lines up to ``today``: the
    balance now and on ``d90``, the sales (debits of sale journals) of the last 90 days
    and of the 90 days before (``d180`` < date <= ``d90``). Columns: pid, balance_now,
    balance_then, sales_now, sales_then.

    The lines are grouped by document partner first (an integer key, no join per line),
    then the partners are mapped to their commercial partner.
    """
    sale_journals = SQL("(SELECT id FROM account_journal WHERE type = 'sale')")
    return SQL(
        """
        SELECT rp.commercial_partner_id AS pid,
               SUM(l.balance_now) AS balance_now, SUM(l.balance_then) AS balance_then,
               SUM(l.sales_now) AS sales_now, SUM(l.sales_then) AS sales_then
          FROM (
                SELECT aml.partner_id,
                       SUM(aml.balance) AS balance_now,
                       SUM(aml.balance) FILTER (WHERE aml.date <= %(d90)s) AS balance_then,
                       SUM(aml.balance) FILTER (
                           WHERE aml.balance > 0 AND aml.date > %(d90)s
                             AND aml.journal_id IN %(sale_journals)s) AS sales_now,
                       SUM(aml.balance) FILTER (
                           WHERE aml.balance > 0 AND aml.date > %(d180)s AND aml.date <= %(d90)s
                             AND aml.journal_id IN %(sale_journals)s) AS sales_then
                  FROM account_move_line aml
                 WHERE aml.account_id = ANY(%(receivable)s)
                   AND aml.parent_state = 'posted'
                   AND aml.company_id = %(company_id)s
                   AND aml.date <= %(today)s
                 GROUP BY aml.partner_id
          ) AS l
          JOIN res_partner rp ON rp.id = l.partner_id
         GROUP BY rp.commercial_partner_id
        """,
        d90=d90,
        d180=d180,
        today=today,
        company_id=company_id,
        sale_journals=sale_journals,
        receivable=RECEIVABLE_ARRAY_SQL,
    )
