"""Receivable aging SQL: the open items of a date, bucketed.

The summary (one row per customer and company) is ONE statement aggregating the
open items by customer and bucket without writing them; the items themselves are
written by a second statement from the same options, on first use (drill-down,
analysis, XLSX detail sheet).

The open amount of a posted receivable line as of date D is its balance (company
currency) less the partial reconciliations that had taken effect by D, i.e. whose
``max_date`` (the later date of the two matched lines) is on or before D:

    open(l, D) = l.balance - sum(partial.amount, l is the debit side, max_date <= D)
                           + sum(partial.amount, l is the credit side, max_date <= D)

for the lines dated on or before D. A line open at D is either still not fully
reconciled today, or has a partial reconciliation dated after D; only those
candidates are read, which keeps a past date about as cheap as today.
As of today (no partial dated later), ``open`` is exactly ``amount_residual``.

Amounts stay in each company's currency: items and summary rows carry their
company and currency, and nothing here adds two companies together.
"""

from odoo.tools import SQL

from .aging_buckets import MAX_BUCKETS
from .exposure_ledger import CREDIT
from .exposure_ledger import DEBT
from .exposure_ledger import ENTRY_TABLE
from .receivables import OPEN_LINE_PREDICATE
from .receivables import RECEIVABLE_ARRAY_SQL
from .receivables import open_receivable_sql

# Indexes the aging reads, created by ``customer.credit.aging.item.init()``.
# (name, table, columns, predicate or None)
AGING_INDEXES = (
    (
        # Open receivable lines only (a few % of a ledger), covering every column the
        # aging reads: as of today the ledger is read by an index-only scan. The
        # predicate repeats the WHERE clause of the first branch of ``candidate``.
        "account_move_line_credit_aging_idx",
        "account_move_line",
        "(account_id, company_id, date) INCLUDE (id, move_id, partner_id, date_maturity,"
        " invoice_date, move_name, balance, amount_residual, currency_id, amount_currency)",
        OPEN_LINE_PREDICATE,
    ),
    (
        # The open lines without a partner (none, usually): the aging reads the others
        # from the exposure ledger, which keeps the lines of partners only.
        "account_move_line_credit_aging_no_partner_idx",
        "account_move_line",
        "(company_id, date)",
        f"partner_id IS NULL AND {OPEN_LINE_PREDICATE}",
    ),
    (
        # The matches that took effect after a date: none as of today, a range otherwise;
        # with the earlier date of their two lines, to keep only those that a line dated
        # on or before the date saw (see MATCH_FIRST_DATE).
        "account_partial_reconcile_credit_aging_dates_idx",
        "account_partial_reconcile",
        "(max_date) INCLUDE (debit_move_id, credit_move_id, amount, customer_credit_first_date)",
        None,
    ),
)
# Indexes of earlier versions, dropped on update.
AGING_OLD_INDEXES = ("account_partial_reconcile_credit_aging_idx",)

# The earlier date of the two lines of a partial reconciliation, beside Odoo's ``max_date``
# (the later one), kept by triggers. A match with ``max_date`` after a date D changes the
# open amount at D of its lines dated on or before D only: if both lines are dated after D
# (most of the matches made after D, a year back on a busy ledger), it changes nothing the
# aging reads. ``first_date <= D`` keeps the others without reading the lines: a year back
# on the 10M-line bench ledger, a few hundred thousand pairs instead of 5M, each probed by
# id (docs/benchmarks.md, issue 15). A matched line's date may still change (a bank
# statement line, a write with ``skip_readonly_check``): a second trigger, on the journal
# items' date, gives its matches their date again. NULL (a line without a date yet, a
# match inserted with triggers off and not filled) counts as "maybe": the reading stays
# exact, only slower.
MATCH_FIRST_DATE = "customer_credit_first_date"
MATCH_FIRST_DATE_TRIGGER = "customer_credit_match_first_date"
LINE_DATE_TRIGGER = "customer_credit_line_date_matches"
# NULL unless both lines have a date
_FIRST_DATE_OF = """(SELECT CASE WHEN count(aml.date) = 2 THEN MIN(aml.date) END
                      FROM account_move_line aml
                     WHERE aml.id IN ({debit}, {credit}))"""
MATCH_FIRST_DATE_DDL = f"""
ALTER TABLE account_partial_reconcile ADD COLUMN IF NOT EXISTS {MATCH_FIRST_DATE} date;
CREATE OR REPLACE FUNCTION {MATCH_FIRST_DATE_TRIGGER}() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    new.{MATCH_FIRST_DATE} := {_FIRST_DATE_OF.format(debit="new.debit_move_id", credit="new.credit_move_id")};
    RETURN new;
END
$fn$;
DROP TRIGGER IF EXISTS {MATCH_FIRST_DATE_TRIGGER} ON account_partial_reconcile;
CREATE TRIGGER {MATCH_FIRST_DATE_TRIGGER}
    BEFORE INSERT OR UPDATE OF debit_move_id, credit_move_id ON account_partial_reconcile
    FOR EACH ROW EXECUTE FUNCTION {MATCH_FIRST_DATE_TRIGGER}();
CREATE OR REPLACE FUNCTION {LINE_DATE_TRIGGER}() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    UPDATE account_partial_reconcile apr
       SET {MATCH_FIRST_DATE} = {_FIRST_DATE_OF.format(debit="apr.debit_move_id", credit="apr.credit_move_id")}
     WHERE apr.debit_move_id = new.id OR apr.credit_move_id = new.id;
    RETURN NULL;
END
$fn$;
DROP TRIGGER IF EXISTS {LINE_DATE_TRIGGER} ON account_move_line;
CREATE TRIGGER {LINE_DATE_TRIGGER}
    AFTER UPDATE OF date ON account_move_line
    FOR EACH ROW WHEN (old.date IS DISTINCT FROM new.date)
    EXECUTE FUNCTION {LINE_DATE_TRIGGER}();
"""
# Fill the matches made before the column existed (or loaded with triggers off).
MATCH_FIRST_DATE_FILL = f"""
UPDATE account_partial_reconcile apr
   SET {MATCH_FIRST_DATE} = LEAST(d.date, c.date)
  FROM account_move_line d, account_move_line c
 WHERE apr.{MATCH_FIRST_DATE} IS NULL
   AND d.id = apr.debit_move_id AND c.id = apr.credit_move_id
   AND d.date IS NOT NULL AND c.date IS NOT NULL
"""
# The matches whose first date is not that of their lines (empty when the triggers kept
# up; the tests check it after each test, as they check the exposure ledger).
MATCH_FIRST_DATE_DRIFT = f"""
SELECT apr.id, apr.{MATCH_FIRST_DATE}, d.date, c.date
  FROM account_partial_reconcile apr
  JOIN account_move_line d ON d.id = apr.debit_move_id
  JOIN account_move_line c ON c.id = apr.credit_move_id
 WHERE apr.{MATCH_FIRST_DATE} IS DISTINCT FROM LEAST(d.date, c.date)
"""
MATCH_FIRST_DATE_DROP = f"""
DROP TRIGGER IF EXISTS {LINE_DATE_TRIGGER} ON account_move_line;
DROP FUNCTION IF EXISTS {LINE_DATE_TRIGGER}();
DROP TRIGGER IF EXISTS {MATCH_FIRST_DATE_TRIGGER} ON account_partial_reconcile;
DROP FUNCTION IF EXISTS {MATCH_FIRST_DATE_TRIGGER}();
ALTER TABLE account_partial_reconcile DROP COLUMN IF EXISTS {MATCH_FIRST_DATE};
"""


def uninstall(cr):
    """Drop what the aging adds to Odoo's tables: its indexes, the matches' first date
    and its trigger."""
    names = [name for name, _table, _columns, _predicate in AGING_INDEXES]
    for name in names + list(AGING_OLD_INDEXES):
        cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
    cr.execute(SQL(MATCH_FIRST_DATE_DROP))


def _seen_by(alias, as_of):
    """The matches ``alias`` that a line dated on or before ``as_of`` has: the earlier
    of their lines is (see MATCH_FIRST_DATE)."""
    column = SQL.identifier(alias, MATCH_FIRST_DATE)
    return SQL("(%s IS NULL OR %s <= %s)", column, column, as_of)


def aging_index_sql(name, table, columns, predicate):
    """``CREATE INDEX`` statement of an entry of :data:`AGING_INDEXES`."""
    return SQL(
        "CREATE INDEX IF NOT EXISTS %s ON %s %s%s",
        SQL.identifier(name),
        SQL.identifier(table),
        SQL(columns),
        SQL(" WHERE %s", SQL(predicate)) if predicate else SQL(),
    )


def _reference_date_sql(basis):
    if basis == "invoice":
        return SQL("COALESCE(c.invoice_date, c.date)")
    return SQL("COALESCE(c.date_maturity, c.invoice_date, c.date)")


def _bucket_case_sql(buckets, alias="f", values=None):
    """CASE mapping ``days`` to the bucket id; ``buckets`` = [(id, days_from, days_to)].
    With ``values`` ({bucket id: value}), to the bucket's value instead (its label)."""
    values = values or {bucket_id: bucket_id for bucket_id, _from, _to in buckets}
    whens = [
        SQL("WHEN %s <= %s THEN %s", SQL.identifier(alias, "days"), days_to, values[bucket_id])
        for bucket_id, _days_from, days_to in buckets
        if days_to is not None
    ]
    return SQL("CASE %s ELSE %s END", SQL(" ").join(whens), values[buckets[-1][0]])


def _company_fallback_sql(fallbacks):
    """VALUES of each company's fallback credit limit, grade and hold."""
    rows = [
        SQL(
            "(%s, %s::numeric, %s::integer, %s::boolean)",
            cid,
            limit or 0.0,
            grade or None,
            bool(hold),
        )
        for cid, (limit, grade, hold) in fallbacks.items()
    ]
    return SQL(
        "(VALUES %s) AS fb(company_id, credit_limit, grade_id, credit_hold)", SQL(", ").join(rows)
    )


# The columns of the receivable lines ``aml`` every branch of ``candidate`` reads.
_CANDIDATE_COLUMNS = SQL(
    "aml.id, aml.move_id, aml.company_id, aml.partner_id, aml.date, aml.date_maturity,"
    " aml.invoice_date, aml.move_name, aml.balance, aml.currency_id, aml.amount_currency"
)


def _candidate_sql(as_of, company_ids, later_matches=True):
    """CTEs (``WITH`` included) ending with ``candidate``: the receivable lines open at
    the date, with their open amount then (``amount_open``). ``later_matches``: some
    partial reconciliation took effect after the date (:func:`later_matches_sql`);
    without any (as of today, the usual case) the open lines are read alone."""
    if not later_matches:
        return SQL(
            """
            WITH candidate AS (
                SELECT %(columns)s,
                       aml.amount_residual AS amount_open
                  FROM account_move_line aml
                 WHERE %(open_today)s
                   AND aml.company_id = ANY(%(company_ids)s)
                   AND aml.date <= %(as_of)s
            )
            """,
            columns=_CANDIDATE_COLUMNS,
            open_today=open_receivable_sql("aml", account_ids=RECEIVABLE_ARRAY_SQL),
            company_ids=list(company_ids),
            as_of=as_of,
        )
    return SQL(
        """
        WITH later AS MATERIALIZED (
            -- the partial reconciliations that took effect after the date, signed
            -- per line (+ on the debit side). In line order: a year back on a 10M-line
            -- ledger they touch millions of lines, which the second branch of
            -- ``candidate`` then reads in the order of the table (113 s in random
            -- order, see docs/benchmarks.md)
            SELECT v.line_id, SUM(v.amount) AS amount
              FROM account_partial_reconcile apr
             CROSS JOIN LATERAL (VALUES (apr.debit_move_id, apr.amount),
                                        (apr.credit_move_id, -apr.amount)) AS v(line_id, amount)
             WHERE apr.max_date > %(as_of)s
               AND %(seen)s
             GROUP BY v.line_id
             ORDER BY v.line_id
        ),
        candidate AS (
            -- open today: the partial index of open receivable lines, read alone ...
            SELECT %(columns)s,
                   aml.amount_residual + COALESCE(l.amount, 0) AS amount_open
              FROM account_move_line aml
              LEFT JOIN later l ON l.line_id = aml.id
             WHERE %(open_today)s
               AND aml.company_id = ANY(%(company_ids)s)
               AND aml.date <= %(as_of)s
             UNION ALL
            -- ... or settled today by matches that had not taken effect at the date
            SELECT %(columns)s,
                   COALESCE(aml.amount_residual, 0) + l.amount AS amount_open
              FROM later l
              JOIN account_move_line aml ON aml.id = l.line_id
             WHERE aml.account_id = ANY(%(receivable)s)
               AND aml.parent_state = 'posted'
               AND (aml.amount_residual = 0 OR aml.amount_residual IS NULL OR aml.reconciled IS true)
               AND aml.company_id = ANY(%(company_ids)s)
               AND aml.date <= %(as_of)s
        )
        """,
        columns=_CANDIDATE_COLUMNS,
        receivable=RECEIVABLE_ARRAY_SQL,
        open_today=open_receivable_sql("aml", account_ids=RECEIVABLE_ARRAY_SQL),
        company_ids=list(company_ids),
        as_of=as_of,
        seen=_seen_by("apr", as_of),
    )


def later_matches_sql(as_of):
    """Whether some partial reconciliation took effect after ``as_of`` on a line dated on
    or before it (a probe of the aging's index on ``max_date``): without any, the lines
    open today are exactly those open at the date, at their residual."""
    return SQL(
        "SELECT EXISTS (SELECT 1 FROM account_partial_reconcile apr"
        " WHERE apr.max_date > %s AND %s)",
        as_of,
        _seen_by("apr", as_of),
    )


def _kept_sql(
    as_of,
    company_ids,
    basis,
    fallbacks,
    partner_ids,
    user_ids,
    grade_ids,
    with_move,
    later_matches=True,
):
    """CTEs ``candidate`` (see :func:`_candidate_sql`), ``enriched`` and ``kept``: the
    open items of the date with their days, salesperson and grade, filtered by the
    options.

    ``with_move`` joins ``account_move`` for the invoice's salesperson (1M moves on a
    large ledger, ~0.5 s): needed by the items and by a salesperson filter only.
    """
    filters = [SQL("f.amount_open <> 0")]
    if partner_ids is not None:
        filters.append(SQL("f.partner_id = ANY(%s)", list(partner_ids)))
    if user_ids is not None:
        filters.append(SQL("f.user_id = ANY(%s)", list(user_ids)))
    if grade_ids is not None:
        filters.append(SQL("f.grade_id = ANY(%s)", list(grade_ids)))
    if with_move or user_ids is not None:
        move_join = SQL("JOIN account_move am ON am.id = c.move_id")
        user = SQL("COALESCE(am.invoice_user_id, cp.user_id)")
        # a disputed invoice stays in the aging, flagged (its state today)
        follow_up = SQL(
            "am.credit_dispute IS TRUE AS credit_dispute,"
            " am.credit_expected_payment_date AS credit_expected_payment_date"
        )
    else:
        move_join = SQL()
        user = SQL("cp.user_id")
        follow_up = SQL(
            "NULL::boolean AS credit_dispute, NULL::date AS credit_expected_payment_date"
        )
    return SQL(
        """
        %(candidate)s,
        enriched AS (
            SELECT c.id AS move_line_id,
                   c.move_id,
                   c.company_id,
                   cp.id AS partner_id,
                   c.move_name,
                   c.date,
                   c.invoice_date,
                   c.date_maturity,
                   %(reference_date)s AS reference_date,
                   %(as_of)s::date - %(reference_date)s AS days,
                   %(user)s AS user_id,
                   COALESCE((cp.credit_grade_id ->> c.company_id::text)::integer, fb.grade_id) AS grade_id,
                   c.balance AS amount_original,
                   c.amount_open,
                   c.currency_id AS document_currency_id,
                   c.amount_currency,
                   %(follow_up)s
              FROM candidate c
              %(move_join)s
              JOIN %(fallback)s ON fb.company_id = c.company_id
              LEFT JOIN res_partner rp ON rp.id = c.partner_id
              LEFT JOIN res_partner cp ON cp.id = COALESCE(rp.commercial_partner_id, c.partner_id)
             WHERE c.amount_open <> 0
        ),
        kept AS (
            SELECT * FROM enriched f WHERE %(filters)s
        )
        """,
        candidate=_candidate_sql(as_of, company_ids, later_matches),
        as_of=as_of,
        reference_date=_reference_date_sql(basis),
        fallback=_company_fallback_sql(fallbacks),
        user=user,
        follow_up=follow_up,
        move_join=move_join,
        filters=SQL(" AND ").join(filters),
    )


def _by_bucket_sql(
    as_of, company_ids, basis, buckets, fallbacks, partner_ids, user_ids, grade_ids, later_matches
):
    """CTEs ending with ``by_bucket``: rows of company, customer (commercial partner),
    bucket, open amount, the oldest debt's days and item count, to be summed per
    customer (a customer and bucket may have several rows).

    Without a salesperson or grade filter (both read the customer of each item) the
    items are summed per *document* partner first, and only those sums mapped to their
    customer: on a 10M-line ledger that is 950,000 joins to the partners instead of
    2.2M, and one aggregation less (docs/benchmarks.md, issue 15).
    """
    if user_ids is not None or grade_ids is not None:
        return SQL(
            """
            %(kept)s,
            by_bucket AS (
                SELECT k.company_id, k.partner_id, %(bucket_case)s AS bucket_id,
                       SUM(k.amount_open) AS amount,
                       MAX(k.days) FILTER (WHERE k.amount_open > 0) AS days_max,
                       COUNT(*) AS item_count
                  FROM kept k
                 GROUP BY 1, 2, 3
            )
            """,
            kept=_kept_sql(
                as_of,
                company_ids,
                basis,
                fallbacks,
                partner_ids,
                user_ids,
                grade_ids,
                False,
                later_matches,
            ),
            bucket_case=_bucket_case_sql(buckets, alias="k"),
        )
    customer = SQL()
    if partner_ids is not None:
        customer = SQL(
            "WHERE COALESCE(rp.commercial_partner_id, d.partner_id) = ANY(%s)", list(partner_ids)
        )
    return SQL(
        """
        %(candidate)s,
        by_document AS (
            SELECT k.company_id, k.partner_id, %(bucket_case)s AS bucket_id,
                   SUM(k.amount_open) AS amount,
                   MAX(k.days) FILTER (WHERE k.amount_open > 0) AS days_max,
                   COUNT(*) AS item_count
              FROM (SELECT c.company_id, c.partner_id, c.amount_open,
                           %(as_of)s::date - %(reference_date)s AS days
                      FROM candidate c
                     WHERE c.amount_open <> 0
                       AND c.company_id IN (SELECT company_id FROM %(fallback)s)) AS k
             GROUP BY 1, 2, 3
        ),
        by_bucket AS (
            -- mapped to their customer, not summed again: the callers sum per customer
            SELECT d.company_id, COALESCE(rp.commercial_partner_id, d.partner_id) AS partner_id,
                   d.bucket_id, d.amount, d.days_max, d.item_count
              FROM by_document d
              LEFT JOIN res_partner rp ON rp.id = d.partner_id
             %(customer)s
        )
        """,
        candidate=_candidate_sql(as_of, company_ids, later_matches),
        as_of=as_of,
        reference_date=_reference_date_sql(basis),
        fallback=_company_fallback_sql(fallbacks),
        bucket_case=_bucket_case_sql(buckets, alias="k"),
        customer=customer,
    )


def _pivot_sums_sql(buckets, alias, amount, bucket):
    """The columns b0..b9: the sum of ``amount`` over the rows of each bucket of
    ``buckets`` (0 for the unused columns), ``bucket`` being the rows' bucket id."""
    columns = []
    for index in range(MAX_BUCKETS):
        if index < len(buckets):
            columns.append(
                SQL(
                    "COALESCE(SUM(%s) FILTER (WHERE %s = %s), 0) AS %s",
                    SQL.identifier(alias, amount),
                    SQL.identifier(alias, bucket),
                    buckets[index][0],
                    SQL.identifier(f"b{index}"),
                )
            )
        else:
            columns.append(SQL("0 AS %s", SQL.identifier(f"b{index}")))
    return SQL(", ").join(columns)


def _line_sums_sql(by_bucket, buckets):
    """The customers' sums (company_id, partner_id, b0..b9, amount_total,
    days_overdue_max, item_count) from the journal items' ``by_bucket`` CTEs
    (:func:`_by_bucket_sql`): any option, any date."""
    return SQL(
        """
        -- one sum per customer and bucket first (one addition per item), then the
        -- buckets side by side: 2.2M items of a 10M-line ledger aggregate in a
        -- fraction of the time of a dozen FILTERed sums per item, hashed
        %(by_bucket)s
        SELECT b.company_id, b.partner_id,
               %(bucket_sums)s,
               SUM(b.amount) AS amount_total,
               -- days overdue of the oldest debt; not-due items have negative days
               GREATEST(MAX(b.days_max), 0) AS days_overdue_max,
               SUM(b.item_count) AS item_count
          FROM by_bucket b
         GROUP BY b.company_id, b.partner_id
        """,
        by_bucket=by_bucket,
        bucket_sums=_pivot_sums_sql(buckets, "b", "amount", "bucket_id"),
    )


def _ledger_sums_sql(as_of, company_ids, basis, buckets, partner_ids):
    """The customers' sums of :func:`_line_sums_sql`, as of a date after which no match
    took effect (today, usually), read from the exposure ledger's items
    (``tools/exposure_ledger.py``): one row per open receivable line with a partner,
    with its residual and dates, kept by the database in document-partner order. The
    items stream through that index into one row per document partner, buckets side
    by side, without hashing or sorting 2.2M items (10M-line ledger, docs/benchmarks.md);
    those rows are then summed per customer. The lines without a partner, which the
    ledger does not keep, are read from the journal items (a partial index of them)."""
    documents = customer = SQL()
    if partner_ids is not None:
        documents = SQL(
            "AND e.partner_id IN (SELECT p.id FROM res_partner p"
            " WHERE p.commercial_partner_id = ANY(%(ids)s) OR p.id = ANY(%(ids)s))",
            ids=list(partner_ids),
        )
        customer = SQL(
            "WHERE COALESCE(rp.commercial_partner_id, d.partner_id) = ANY(%s)", list(partner_ids)
        )

    def by_document(source):
        return SQL(
            """
            SELECT k.company_id, k.partner_id, %(bucket_sums)s,
                   SUM(k.amount) AS amount_total,
                   MAX(k.days) FILTER (WHERE k.amount > 0) AS days_max,
                   COUNT(*) AS item_count
              FROM (SELECT c.company_id, c.partner_id, c.amount, f.days,
                           %(bucket_case)s AS bucket_id
                      FROM (%(source)s) AS c
                     CROSS JOIN LATERAL (SELECT %(as_of)s::date - %(reference_date)s AS days) f
                   ) AS k
             GROUP BY k.partner_id, k.company_id
            """,
            bucket_sums=_pivot_sums_sql(buckets, "k", "amount", "bucket_id"),
            bucket_case=_bucket_case_sql(buckets, alias="f"),
            source=source,
            as_of=as_of,
            reference_date=_reference_date_sql(basis),
        )

    ledger_items = SQL(
        """
        SELECT e.company_id, e.partner_id, e.amount, e.date, e.invoice_date, e.date_maturity
          FROM %(table)s e
         WHERE e.kind IN (%(debt)s, %(credit)s)
           AND e.company_id = ANY(%(company_ids)s)
           AND e.date <= %(as_of)s
           %(documents)s
        """,
        table=SQL.identifier(ENTRY_TABLE),
        debt=DEBT,
        credit=CREDIT,
        company_ids=list(company_ids),
        as_of=as_of,
        documents=documents,
    )
    no_partner_lines = SQL(
        """
        SELECT aml.company_id, aml.partner_id, aml.amount_residual AS amount, aml.date,
               aml.invoice_date, aml.date_maturity
          FROM account_move_line aml
         WHERE aml.partner_id IS NULL
           AND %(open_today)s
           AND aml.company_id = ANY(%(company_ids)s)
           AND aml.date <= %(as_of)s
        """,
        open_today=open_receivable_sql("aml", account_ids=RECEIVABLE_ARRAY_SQL),
        company_ids=list(company_ids),
        as_of=as_of,
    )
    pivot = SQL(", ").join(
        SQL("SUM(%s) AS %s", SQL.identifier("d", f"b{index}"), SQL.identifier(f"b{index}"))
        for index in range(MAX_BUCKETS)
    )
    return SQL(
        """
        WITH by_document AS (
            %(ledger)s
             UNION ALL
            %(no_partner)s
        )
        SELECT d.company_id, COALESCE(rp.commercial_partner_id, d.partner_id) AS partner_id,
               %(pivot)s,
               SUM(d.amount_total) AS amount_total,
               -- days overdue of the oldest debt; not-due items have negative days
               GREATEST(MAX(d.days_max), 0) AS days_overdue_max,
               SUM(d.item_count) AS item_count
          FROM by_document d
          LEFT JOIN res_partner rp ON rp.id = d.partner_id
         %(customer)s
         GROUP BY 1, 2
        """,
        ledger=by_document(ledger_items),
        no_partner=by_document(no_partner_lines),
        pivot=pivot,
        customer=customer,
    )


def sums_from_ledger(user_ids, grade_ids, later_matches):
    """Whether the summary of these options sums the exposure ledger's items
    (:func:`_ledger_sums_sql`), to be run with hash aggregation off: they stream in
    customer order through its index. PostgreSQL would rather hash 200,000 groups of a
    dozen sums each: 6.3 s against 2.3 s streamed on the 10M-line bench ledger."""
    return user_ids is None and grade_ids is None and not later_matches


def aging_summary_sql(
    report_id,
    uid,
    as_of,
    company_ids,
    basis,
    buckets,
    fallbacks,
    partner_ids=None,
    user_ids=None,
    grade_ids=None,
    later_matches=True,
):
    """The statements computing the aging and writing its customer rows only.

    ``buckets`` is [(bucket_id, days_from, days_to)] in column order (contiguous,
    the last one open-ended); ``fallbacks`` maps each company id to its default
    (credit_limit, grade_id, credit_hold) for customers without a company value.
    ``partner_ids`` are commercial partner ids; ``user_ids`` filter on the item's
    salesperson (the invoice's, else the customer's); ``grade_ids`` on the
    customer's grade in the item's company; ``later_matches``: see
    :func:`_candidate_sql`. The open items are aggregated by customer and bucket
    without being written (see :func:`aging_items_sql`).

    The sums come from the exposure ledger's items when nothing but the customers
    filters the run and no match took effect after the date (:func:`_ledger_sums_sql`),
    else from the journal items (:func:`_line_sums_sql`). They go to a temporary table
    first, then the customer rows are written from it in name order (PostgreSQL may run
    a ``CREATE TABLE AS`` with parallel workers, never an ``INSERT … SELECT``).
    """
    if sums_from_ledger(user_ids, grade_ids, later_matches):
        sums = _ledger_sums_sql(as_of, company_ids, basis, buckets, partner_ids)
    else:
        by_bucket = _by_bucket_sql(
            as_of,
            company_ids,
            basis,
            buckets,
            fallbacks,
            partner_ids,
            user_ids,
            grade_ids,
            later_matches,
        )
        sums = _line_sums_sql(by_bucket, buckets)
    bucket_values = SQL(", ").join(SQL.identifier("g", f"b{index}") for index in range(MAX_BUCKETS))
    bucket_columns = SQL(", ").join(
        SQL.identifier(f"bucket_{index}_amount") for index in range(MAX_BUCKETS)
    )
    return SQL(
        """
        CREATE TEMPORARY TABLE customer_credit_aging_sums ON COMMIT DROP AS
        %(sums)s;
        INSERT INTO customer_credit_aging_line (
            report_id, company_id, currency_id, partner_id, user_id, grade_id, credit_limit,
            credit_hold, %(bucket_columns)s, amount_total, days_overdue_max, item_count,
            credit_group_id, create_uid, create_date, write_uid, write_date)
        SELECT %(report_id)s, g.company_id, rc.currency_id, g.partner_id, cp.user_id,
               COALESCE((cp.credit_grade_id ->> g.company_id::text)::integer, fb.grade_id),
               COALESCE((cp.credit_limit ->> g.company_id::text)::numeric, fb.credit_limit),
               COALESCE((cp.credit_hold ->> g.company_id::text)::boolean, fb.credit_hold),
               %(bucket_values)s, g.amount_total, g.days_overdue_max, g.item_count,
               (SELECT m.group_id FROM customer_credit_group_member m
                 WHERE m.partner_id = g.partner_id AND m.company_id = g.company_id),
               %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
          FROM customer_credit_aging_sums g
          JOIN res_company rc ON rc.id = g.company_id
          JOIN %(fallback)s ON fb.company_id = g.company_id
          LEFT JOIN res_partner cp ON cp.id = g.partner_id
         -- customers in name order
         ORDER BY g.company_id, cp.name, g.partner_id;
        DROP TABLE customer_credit_aging_sums;
        """,
        sums=sums,
        fallback=_company_fallback_sql(fallbacks),
        report_id=report_id,
        uid=uid,
        bucket_columns=bucket_columns,
        bucket_values=bucket_values,
    )


# The items of a run in the order of its customer rows (name order, see
# :func:`aging_summary_sql`); a customer with no row (the ledger changed since the
# summary) comes after the others. Sorting on the row's id rather than on the name keeps
# ``kept`` referenced once: PostgreSQL then inlines it and plans the whole statement in
# parallel (a window over the names needed it materialised, read by one process).
_CUSTOMER_RANK_ORDER = SQL("f.company_id, r.id, f.partner_id, f.reference_date, f.move_line_id")


def _customer_rank_join(report_id):
    """Join ``r``, the run's customer row of each item (see _CUSTOMER_RANK_ORDER)."""
    return SQL(
        """LEFT JOIN customer_credit_aging_line r ON r.report_id = %s
                AND r.company_id = f.company_id AND r.partner_id = f.partner_id""",
        report_id,
    )


def aging_items_sql(
    report_id,
    uid,
    as_of,
    company_ids,
    basis,
    buckets,
    fallbacks,
    partner_ids=None,
    user_ids=None,
    grade_ids=None,
    later_matches=True,
):
    """One statement writing the open items of a run (same options as
    :func:`aging_summary_sql`), in customer-name order. Returns nothing."""
    return SQL(
        """
        %(kept)s
        INSERT INTO customer_credit_aging_item (
            report_id, company_id, currency_id, partner_id, move_line_id, move_id, move_name,
            date, invoice_date, date_maturity, reference_date, days_overdue, bucket_id,
            user_id, grade_id, amount_original, amount_open, document_currency_id,
            amount_currency, credit_dispute, credit_expected_payment_date,
            create_uid, create_date, write_uid, write_date)
        SELECT %(report_id)s, f.company_id, rc.currency_id, f.partner_id, f.move_line_id,
               f.move_id, f.move_name, f.date, f.invoice_date, f.date_maturity,
               f.reference_date, f.days, %(bucket_case)s, f.user_id, f.grade_id,
               f.amount_original, f.amount_open, f.document_currency_id, f.amount_currency,
               COALESCE(f.credit_dispute, false), f.credit_expected_payment_date,
               %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
          FROM kept f
          JOIN res_company rc ON rc.id = f.company_id
          %(rank_join)s
         ORDER BY %(rank_order)s
        """,
        kept=_kept_sql(
            as_of,
            company_ids,
            basis,
            fallbacks,
            partner_ids,
            user_ids,
            grade_ids,
            with_move=True,
            later_matches=later_matches,
        ),
        report_id=report_id,
        uid=uid,
        bucket_case=_bucket_case_sql(buckets),
        rank_join=_customer_rank_join(report_id),
        rank_order=_CUSTOMER_RANK_ORDER,
    )


def aging_detail_sql(
    no_partner,
    report_id,
    uid,
    as_of,
    company_ids,
    basis,
    buckets,
    fallbacks,
    partner_ids=None,
    user_ids=None,
    grade_ids=None,
    later_matches=True,
    bucket_labels=None,
):
    """The cells of the XLSX detail sheet computed from the ledger, without writing
    the item rows: (company_id, company, customer, number, invoice date, due date,
    aged from, days, bucket, salesperson, grade, original, open), dates as Excel
    serial numbers, in the order of :func:`aging_items_sql`. ``bucket_labels``:
    {bucket id: label} (required). Meant for ``COPY … TO STDOUT``
    (``tools/sql_stream.py``): one statement over the whole ledger, planned in
    parallel. The bucket label is a CASE rather than a join to the buckets: the
    planner cannot estimate such a join, took it for one row in 400, and then probed
    2.2M journal entries one by one (45 s instead of ~20 s at 10M lines)."""
    del uid  # same options as the other statements

    def serial(column):
        # Excel's day 0 of the 1900 date system
        return SQL("(%s - DATE '1899-12-30')", SQL.identifier("f", column))

    return SQL(
        """
        %(kept)s
        SELECT f.company_id, rc.name, COALESCE(rp.name, %(no_partner)s),
               f.move_name, %(invoice_date)s, %(date_maturity)s, %(reference_date)s,
               f.days, %(bucket_label)s, COALESCE(up.name, ''), COALESCE(g.code, ''),
               f.amount_original::float8, f.amount_open::float8
          FROM kept f
          JOIN res_company rc ON rc.id = f.company_id
          %(rank_join)s
          LEFT JOIN res_partner rp ON rp.id = f.partner_id
          LEFT JOIN res_users u ON u.id = f.user_id
          LEFT JOIN res_partner up ON up.id = u.partner_id
          LEFT JOIN customer_credit_grade g ON g.id = f.grade_id
         ORDER BY %(rank_order)s
        """,
        kept=_kept_sql(
            as_of,
            company_ids,
            basis,
            fallbacks,
            partner_ids,
            user_ids,
            grade_ids,
            with_move=True,
            later_matches=later_matches,
        ),
        no_partner=no_partner,
        invoice_date=serial("invoice_date"),
        date_maturity=serial("date_maturity"),
        reference_date=serial("reference_date"),
        bucket_label=_bucket_case_sql(buckets, values=bucket_labels),
        rank_join=_customer_rank_join(report_id),
        rank_order=_CUSTOMER_RANK_ORDER,
    )


def debt_history_sql(company_ids, dates, basis="due"):
    """One pass over the ledger giving, for each date of ``dates`` (ascending), what the
    customers owed as of that date and its overdue part, as the aging computes them
    (open amount of a line as of D, reference date of ``basis``, overdue = days > 0,
    i.e. every bucket but the first), debts only (the debit lines: invoices, not the
    unapplied payments and credit notes): one row of 2 × len(dates) columns (owed,
    overdue of the first date, then of the next...), in company currency, summed over
    ``company_ids`` (pass one company for figures in its currency).

    The open amount as of D is cut into additive parts, so that the candidates are read
    once for every date: a debt open today counts its residual from its date on; each
    match of a debt that took effect after the first date counts its amount back from
    the debt's date until the day before the match's ``max_date``. As of today only the
    first part is left: the owed and overdue amounts of the exposure.
    """
    first, last = dates[0], dates[-1]
    reference_date = _reference_date_sql(basis)
    columns = []
    for as_of in dates:
        counted = SQL("c.date <= %s AND (c.until IS NULL OR c.until > %s)", as_of, as_of)
        columns.append(SQL("COALESCE(SUM(c.amount) FILTER (WHERE %s), 0)", counted))
        # days = as_of - reference date > 0: past the first (not due / current) bucket
        columns.append(
            SQL(
                "COALESCE(SUM(c.amount) FILTER (WHERE %s AND %s < %s), 0)",
                counted,
                reference_date,
                as_of,
            )
        )
    return SQL(
        """
        WITH later AS MATERIALIZED (
            -- the debit side of the matches that took effect after the first date
            SELECT apr.debit_move_id AS line_id, apr.max_date, apr.amount
              FROM account_partial_reconcile apr
             WHERE apr.max_date > %(first)s
               AND %(seen)s
        ),
        candidate AS (
            SELECT aml.date, aml.date_maturity, aml.invoice_date,
                   aml.amount_residual AS amount, NULL::date AS until
              FROM account_move_line aml
             WHERE %(open_today)s
               AND aml.company_id = ANY(%(company_ids)s)
               AND aml.date <= %(last)s
             UNION ALL
            SELECT aml.date, aml.date_maturity, aml.invoice_date, l.amount, l.max_date
              FROM later l
              JOIN account_move_line aml ON aml.id = l.line_id
             WHERE aml.account_id = ANY(%(receivable)s)
               AND aml.parent_state = 'posted'
               AND aml.company_id = ANY(%(company_ids)s)
               AND aml.date <= %(last)s
        )
        SELECT %(columns)s FROM candidate c
        """,
        first=first,
        last=last,
        seen=_seen_by("apr", last),
        receivable=RECEIVABLE_ARRAY_SQL,
        open_today=open_receivable_sql("aml", debts_only=True, account_ids=RECEIVABLE_ARRAY_SQL),
        company_ids=list(company_ids),
        columns=SQL(", ").join(columns),
    )


def aging_bucket_totals_sql(
    as_of, company_ids, basis, buckets, fallbacks, partner_ids=None, later_matches=True
):
    """Read-only: the open amount of each customer and bucket, from the same open
    items as :func:`aging_summary_sql` (same options; ``buckets`` = [(key, days_from,
    days_to)], the key returned as the bucket). Rows: (partner_id, bucket key,
    amount). Writes nothing, so that a download on a read replica can use it."""
    return SQL(
        """
        %(by_bucket)s
        SELECT b.partner_id, b.bucket_id, SUM(b.amount) FROM by_bucket b GROUP BY 1, 2
        """,
        by_bucket=_by_bucket_sql(
            as_of, company_ids, basis, buckets, fallbacks, partner_ids, None, None, later_matches
        ),
    )
