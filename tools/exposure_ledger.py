"""The exposure ledger: what each customer owes, kept up to date by the database.

Reading a customer's exposure from ``account_move_line``, ``account_move`` and
``sale_order_line`` costs little to *execute* but 2 to 3 ms to *plan* on every request
(those tables carry 23, 34 and 7 indexes, several partial), and an Odoo request cannot
keep a plan: the connection pool resets each connection it lends (``DISCARD ALL``).
Summing every customer's open items (the "over limit" search, the quotation filters)
reads millions of index entries on a large ledger. See docs/benchmarks.md (issues 11
and 15).

So PostgreSQL triggers keep two narrow tables, read by every exposure query:

- ``customer_credit_exposure_item``: one row per open receivable line (its customer,
  company, account, due date and residual in company currency; kind ``d`` a debt,
  residual > 0, or ``c`` a credit, residual < 0: unapplied payment, open credit note) and
  one per draft customer invoice or credit note (kind ``i``, its signed total). A row is
  written, changed or removed with its line or move, in the same transaction; rows are
  keyed by line or move, so two transactions only ever wait for each other when they
  change the same document, as they already do;
- ``customer_credit_exposure_order``: one row per confirmed order with something still
  to invoice, and that amount (:func:`credit_exposure.orders_uninvoiced_sql`),
  recomputed when the order, its lines, their invoice links or a down payment's invoice
  lines change;
- ``customer_credit_exposure_total``: per customer (commercial partner: its contacts'
  documents count for it) and company, the sum of both tables' amounts (the exposure)
  and the earliest due date of its open debts, kept by triggers on the two tables above
  and on the partners (a contact moving to another company moves its amounts). The searches over every customer ("over
  limit", the quotation filters, "group over limit") read it: one row per customer
  instead of one per open item, whatever the ledger's size. The price: a transaction
  that changes a customer's items holds that customer's row until it commits, so two
  transactions writing documents of the *same* customer at once wait for each other
  (posting already waits on the journal's sequence, confirming on the customer's credit
  lock). A deadlock between two such transactions is detected by PostgreSQL and the
  request retried by Odoo.

The predicates are those of :mod:`receivables` (one definition of "open"). The triggers
see every write, through the ORM or in SQL (reconciliation, partner merge, state
changes of moves, cascading deletes, an account's type). :func:`drift_sql` compares both
tables with the documents: the tests run it after each test, ``make bench`` on the
bench ledger.
"""

import hashlib

from odoo.tools import SQL

from .receivables import open_receivable_sql

ENTRY_TABLE = "customer_credit_exposure_item"
ORDER_TABLE = "customer_credit_exposure_order"
TOTAL_TABLE = "customer_credit_exposure_total"
# Kinds of items.
DEBT, CREDIT, DRAFT = "d", "c", "i"

TABLES_DDL = f"""
CREATE TABLE IF NOT EXISTS {ENTRY_TABLE} (
    line_id integer UNIQUE,
    move_id integer UNIQUE,
    partner_id integer NOT NULL,
    company_id integer NOT NULL,
    account_id integer,
    kind "char" NOT NULL,
    due date,
    amount numeric NOT NULL,
    date date,
    invoice_date date,
    date_maturity date,
    CHECK ((line_id IS NULL) <> (move_id IS NULL))
);
-- the line's dates, for the aging (a table made before they were kept gets them here
-- and is filled again: the definition's hash changed)
ALTER TABLE {ENTRY_TABLE} ADD COLUMN IF NOT EXISTS date date,
    ADD COLUMN IF NOT EXISTS invoice_date date, ADD COLUMN IF NOT EXISTS date_maturity date;
DROP INDEX IF EXISTS {ENTRY_TABLE}_partner_idx;
-- every column the exposure and the aging read: both scan it alone, in customer order
CREATE INDEX IF NOT EXISTS {ENTRY_TABLE}_partner_dates_idx
    ON {ENTRY_TABLE} (partner_id, company_id)
    INCLUDE (kind, due, amount, date, invoice_date, date_maturity);
CREATE INDEX IF NOT EXISTS {ENTRY_TABLE}_account_idx ON {ENTRY_TABLE} (account_id);
CREATE TABLE IF NOT EXISTS {ORDER_TABLE} (
    order_id integer PRIMARY KEY,
    partner_id integer NOT NULL,
    company_id integer NOT NULL,
    amount numeric NOT NULL
);
CREATE INDEX IF NOT EXISTS {ORDER_TABLE}_partner_idx
    ON {ORDER_TABLE} (partner_id, company_id) INCLUDE (amount);
-- room on each page for the updates of the totals to stay HOT (no index to update)
CREATE TABLE IF NOT EXISTS {TOTAL_TABLE} (
    partner_id integer NOT NULL,
    company_id integer NOT NULL,
    amount numeric NOT NULL,
    debt_due date,
    PRIMARY KEY (partner_id, company_id)
) WITH (fillfactor = 70);
"""


def _open_line(record):
    """The open receivable predicate on a trigger's ``old``/``new`` row, as text."""
    return open_receivable_sql(record).code


def _line_item_values(record):
    return (
        f"{record}.id, {record}.partner_id, {record}.company_id, {record}.account_id,"
        f" (CASE WHEN {record}.amount_residual > 0 THEN '{DEBT}' ELSE '{CREDIT}' END)::\"char\","
        f" COALESCE({record}.date_maturity, {record}.date), {record}.amount_residual,"
        f" {record}.date, {record}.invoice_date, {record}.date_maturity"
    )


_DRAFT_MOVE = (
    "{m}.partner_id IS NOT NULL AND {m}.state = 'draft'"
    " AND {m}.move_type IN ('out_invoice', 'out_refund')"
    " AND COALESCE({m}.amount_total_signed, 0) <> 0"
)
_ITEM_COLUMNS = (
    "partner_id, company_id, account_id, kind, due, amount, date, invoice_date, date_maturity"
)


def _item_columns(alias):
    """:data:`_ITEM_COLUMNS` of the table alias ``alias``, as text."""
    return ", ".join(f"{alias}.{column}" for column in _ITEM_COLUMNS.split(", "))


_UPSERT = ", ".join(f"{c} = EXCLUDED.{c}" for c in _ITEM_COLUMNS.split(", "))


def _refresh_orders_function(name, orders):
    """A statement trigger's function: recompute the orders ``orders`` (a SELECT of
    order ids over the trigger's transition tables)."""
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM customer_credit_refresh_orders(ARRAY({orders}));
    RETURN NULL;
END
$fn$;
"""


# The orders of the order lines an UPDATE changed in what the order table reads (or moved
# to another order: both orders).
_CHANGED_LINES_ORDERS = """
    SELECT o.order_id FROM removed_lines o JOIN changed_lines n ON n.id = o.id
     WHERE (o.order_id, o.price_total, o.product_uom_qty, o.qty_invoiced,
            o.is_downpayment, o.display_type)
           IS DISTINCT FROM
           (n.order_id, n.price_total, n.product_uom_qty, n.qty_invoiced,
            n.is_downpayment, n.display_type)
    UNION
    SELECT n.order_id FROM removed_lines o JOIN changed_lines n ON n.id = o.id
     WHERE n.order_id IS DISTINCT FROM o.order_id
"""


def functions_ddl(orders_sql_text):
    """The trigger functions. ``orders_sql_text``: what each confirmed order of
    ``order_ids`` still has to invoice (key = order id), as text."""
    return "".join(
        [_row_functions_ddl(orders_sql_text)]
        + [_refresh_orders_function(name, orders) for name, orders in _STATEMENT_FUNCTIONS]
    )


# The functions of the statement triggers: each recomputes the orders of the rows its
# statement touched (a SELECT of order ids over the transition tables).
_STATEMENT_FUNCTIONS = (
    (
        "customer_credit_order_lines_new",
        "SELECT DISTINCT order_id FROM changed_lines WHERE order_id IS NOT NULL",
    ),
    (
        "customer_credit_order_lines_old",
        "SELECT DISTINCT order_id FROM removed_lines WHERE order_id IS NOT NULL",
    ),
    ("customer_credit_order_lines_changed", _CHANGED_LINES_ORDERS),
    (
        "customer_credit_invoice_links_new",
        "SELECT DISTINCT sol.order_id FROM changed_links l"
        " JOIN sale_order_line sol ON sol.id = l.order_line_id",
    ),
    (
        "customer_credit_invoice_links_old",
        "SELECT DISTINCT sol.order_id FROM removed_links l"
        " JOIN sale_order_line sol ON sol.id = l.order_line_id",
    ),
)


def _customer(record):
    """The customer (commercial partner) of an item or order row ``record``."""
    return (
        f"COALESCE((SELECT rp.commercial_partner_id FROM res_partner rp"
        f" WHERE rp.id = {record}.partner_id), {record}.partner_id)"
    )


def _earliest_debt(customer, record):
    """The earliest due date of the open debts of the customer ``customer`` (and its
    contacts) in ``record``'s company."""
    return (
        f"(SELECT MIN(k.due) FROM {ENTRY_TABLE} k"
        f" WHERE k.partner_id = ANY(ARRAY(SELECT rp.id FROM res_partner rp"
        f" WHERE rp.commercial_partner_id = {customer}) || {customer})"
        f" AND k.company_id = {record}.company_id AND k.kind = '{DEBT}')"
    )


def _row_functions_ddl(orders_sql_text):
    """The refresh of orders and the row triggers' functions."""
    return f"""
CREATE OR REPLACE FUNCTION customer_credit_refresh_orders(order_ids integer[])
RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    IF order_ids IS NULL OR cardinality(order_ids) = 0 THEN
        RETURN;
    END IF;
    DELETE FROM {ORDER_TABLE} WHERE order_id = ANY(order_ids);
    INSERT INTO {ORDER_TABLE} (order_id, partner_id, company_id, amount)
    {_order_items_sql(orders_sql_text)};
END
$fn$;

CREATE OR REPLACE FUNCTION customer_credit_entry_line() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP <> 'DELETE' AND new.partner_id IS NOT NULL AND {_open_line("new")} THEN
        INSERT INTO {ENTRY_TABLE} (line_id, {_ITEM_COLUMNS})
        VALUES ({_line_item_values("new")})
        ON CONFLICT (line_id) DO UPDATE SET {_UPSERT};
    ELSIF TG_OP <> 'INSERT' THEN
        DELETE FROM {ENTRY_TABLE} WHERE line_id = old.id;
    END IF;
    -- a down payment's invoice line: its order's amount to invoice changes with it
    IF TG_OP = 'UPDATE' THEN
        PERFORM customer_credit_refresh_orders(ARRAY(
            SELECT DISTINCT sol.order_id FROM sale_order_line_invoice_rel rel
              JOIN sale_order_line sol ON sol.id = rel.order_line_id
             WHERE rel.invoice_line_id = new.id AND sol.is_downpayment));
    END IF;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION customer_credit_entry_move() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP <> 'DELETE' AND {_DRAFT_MOVE.format(m="new")} THEN
        INSERT INTO {ENTRY_TABLE} (move_id, {_ITEM_COLUMNS})
        VALUES (new.id, new.partner_id, new.company_id, NULL, '{DRAFT}', NULL,
                new.amount_total_signed, NULL, NULL, NULL)
        ON CONFLICT (move_id) DO UPDATE SET {_UPSERT};
    ELSIF TG_OP <> 'INSERT' THEN
        DELETE FROM {ENTRY_TABLE} WHERE move_id = old.id;
    END IF;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION customer_credit_entry_account() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    -- an account becomes receivable or stops being one: its lines join or leave
    DELETE FROM {ENTRY_TABLE} WHERE account_id = new.id;
    INSERT INTO {ENTRY_TABLE} (line_id, {_ITEM_COLUMNS})
    {line_items_sql("aml.account_id = new.id")};
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION customer_credit_refresh_totals(customer_ids integer[])
RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    DELETE FROM {TOTAL_TABLE} WHERE partner_id = ANY(customer_ids);
    INSERT INTO {TOTAL_TABLE} (partner_id, company_id, amount, debt_due)
    {totals_sql("customer_ids")};
END
$fn$;

CREATE OR REPLACE FUNCTION customer_credit_total_item() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    old_cid integer;
    new_cid integer;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        old_cid := {_customer("old")};
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_cid := {_customer("new")};
    END IF;
    IF TG_OP = 'UPDATE' AND new_cid = old_cid AND new.company_id = old.company_id THEN
        -- the same customer (a partial payment): the difference, and the earliest due
        -- date found again only when the earliest debt moved later or stopped being one
        UPDATE {TOTAL_TABLE} t
           SET amount = t.amount + new.amount - old.amount,
               debt_due = CASE
                   WHEN old.kind = '{DEBT}' AND old.due = t.debt_due
                        AND NOT COALESCE(new.kind = '{DEBT}' AND new.due <= old.due, FALSE)
                   THEN {_earliest_debt("new_cid", "new")}
                   ELSE LEAST(t.debt_due, CASE WHEN new.kind = '{DEBT}' THEN new.due END)
               END
         WHERE t.partner_id = new_cid AND t.company_id = new.company_id;
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        UPDATE {TOTAL_TABLE} t
           SET amount = t.amount - old.amount,
               debt_due = CASE WHEN old.kind = '{DEBT}' AND old.due = t.debt_due
                               THEN {_earliest_debt("old_cid", "old")} ELSE t.debt_due END
         WHERE t.partner_id = old_cid AND t.company_id = old.company_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO {TOTAL_TABLE} AS t (partner_id, company_id, amount, debt_due)
        VALUES (new_cid, new.company_id, new.amount,
                CASE WHEN new.kind = '{DEBT}' THEN new.due END)
        ON CONFLICT (partner_id, company_id) DO UPDATE
           SET amount = t.amount + EXCLUDED.amount,
               debt_due = LEAST(t.debt_due, EXCLUDED.debt_due);
    END IF;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION customer_credit_total_order() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE {TOTAL_TABLE} t SET amount = t.amount - old.amount
         WHERE t.partner_id = {_customer("old")} AND t.company_id = old.company_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO {TOTAL_TABLE} AS t (partner_id, company_id, amount)
        VALUES ({_customer("new")}, new.company_id, new.amount)
        ON CONFLICT (partner_id, company_id) DO UPDATE SET amount = t.amount + EXCLUDED.amount;
    END IF;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION customer_credit_total_partner() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    -- a contact moves to another company (or becomes one): both customers' totals
    PERFORM customer_credit_refresh_totals(ARRAY[
        COALESCE(old.commercial_partner_id, old.id), COALESCE(new.commercial_partner_id, new.id)]);
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION customer_credit_order_row() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM {ORDER_TABLE} WHERE order_id = old.id;
    ELSE
        PERFORM customer_credit_refresh_orders(ARRAY[new.id]);
    END IF;
    RETURN NULL;
END
$fn$;

"""


# The triggers that keep the totals (switched off while a rebuild fills the tables).
TOTAL_TRIGGERS = ("customer_credit_total_item", "customer_credit_total_order")
# (trigger, table, definition after "ON table")
_LINE_COLUMNS = (
    "amount_residual, reconciled, parent_state, partner_id, account_id, company_id, "
    "date_maturity, date, invoice_date, price_total, balance"
)
TRIGGERS = (
    (
        "customer_credit_entry_line_insert",
        "account_move_line",
        "AFTER INSERT ON account_move_line FOR EACH ROW"
        " WHEN (new.parent_state = 'posted' AND new.amount_residual <> 0)"
        " EXECUTE FUNCTION customer_credit_entry_line()",
    ),
    (
        "customer_credit_entry_line_update",
        "account_move_line",
        f"AFTER UPDATE OF {_LINE_COLUMNS} ON account_move_line FOR EACH ROW"
        f" WHEN (({', '.join('old.' + c.strip() for c in _LINE_COLUMNS.split(','))})"
        f" IS DISTINCT FROM ({', '.join('new.' + c.strip() for c in _LINE_COLUMNS.split(','))}))"
        " EXECUTE FUNCTION customer_credit_entry_line()",
    ),
    (
        "customer_credit_entry_line_delete",
        "account_move_line",
        "AFTER DELETE ON account_move_line FOR EACH ROW"
        " WHEN (old.parent_state = 'posted' AND old.amount_residual <> 0)"
        " EXECUTE FUNCTION customer_credit_entry_line()",
    ),
    (
        "customer_credit_entry_move_insert",
        "account_move",
        "AFTER INSERT ON account_move FOR EACH ROW WHEN (new.state = 'draft')"
        " EXECUTE FUNCTION customer_credit_entry_move()",
    ),
    (
        "customer_credit_entry_move_update",
        "account_move",
        "AFTER UPDATE OF state, move_type, amount_total_signed, partner_id, company_id"
        " ON account_move FOR EACH ROW"
        " WHEN ((old.state, old.move_type, old.amount_total_signed, old.partner_id,"
        " old.company_id) IS DISTINCT FROM (new.state, new.move_type,"
        " new.amount_total_signed, new.partner_id, new.company_id))"
        " EXECUTE FUNCTION customer_credit_entry_move()",
    ),
    (
        "customer_credit_entry_move_delete",
        "account_move",
        "AFTER DELETE ON account_move FOR EACH ROW WHEN (old.state = 'draft')"
        " EXECUTE FUNCTION customer_credit_entry_move()",
    ),
    (
        "customer_credit_entry_account_update",
        "account_account",
        "AFTER UPDATE OF account_type ON account_account FOR EACH ROW"
        " WHEN (old.account_type IS DISTINCT FROM new.account_type)"
        " EXECUTE FUNCTION customer_credit_entry_account()",
    ),
    (
        "customer_credit_order_update",
        "sale_order",
        "AFTER UPDATE OF state, partner_id, company_id, currency_rate ON sale_order"
        " FOR EACH ROW WHEN ((old.state, old.partner_id, old.company_id, old.currency_rate)"
        " IS DISTINCT FROM (new.state, new.partner_id, new.company_id, new.currency_rate))"
        " EXECUTE FUNCTION customer_credit_order_row()",
    ),
    (
        "customer_credit_order_delete",
        "sale_order",
        "AFTER DELETE ON sale_order FOR EACH ROW EXECUTE FUNCTION customer_credit_order_row()",
    ),
    (
        "customer_credit_order_lines_insert",
        "sale_order_line",
        "AFTER INSERT ON sale_order_line REFERENCING NEW TABLE AS changed_lines"
        " FOR EACH STATEMENT EXECUTE FUNCTION customer_credit_order_lines_new()",
    ),
    (
        "customer_credit_order_lines_update",
        "sale_order_line",
        "AFTER UPDATE ON sale_order_line"
        " REFERENCING OLD TABLE AS removed_lines NEW TABLE AS changed_lines"
        " FOR EACH STATEMENT EXECUTE FUNCTION customer_credit_order_lines_changed()",
    ),
    (
        "customer_credit_order_lines_delete",
        "sale_order_line",
        "AFTER DELETE ON sale_order_line REFERENCING OLD TABLE AS removed_lines"
        " FOR EACH STATEMENT EXECUTE FUNCTION customer_credit_order_lines_old()",
    ),
    (
        "customer_credit_invoice_links_insert",
        "sale_order_line_invoice_rel",
        "AFTER INSERT ON sale_order_line_invoice_rel REFERENCING NEW TABLE AS changed_links"
        " FOR EACH STATEMENT EXECUTE FUNCTION customer_credit_invoice_links_new()",
    ),
    (
        "customer_credit_invoice_links_delete",
        "sale_order_line_invoice_rel",
        "AFTER DELETE ON sale_order_line_invoice_rel REFERENCING OLD TABLE AS removed_links"
        " FOR EACH STATEMENT EXECUTE FUNCTION customer_credit_invoice_links_old()",
    ),
    (
        TOTAL_TRIGGERS[0],
        ENTRY_TABLE,
        f"AFTER INSERT OR UPDATE OR DELETE ON {ENTRY_TABLE} FOR EACH ROW"
        " EXECUTE FUNCTION customer_credit_total_item()",
    ),
    (
        TOTAL_TRIGGERS[1],
        ORDER_TABLE,
        f"AFTER INSERT OR UPDATE OR DELETE ON {ORDER_TABLE} FOR EACH ROW"
        " EXECUTE FUNCTION customer_credit_total_order()",
    ),
    (
        "customer_credit_total_partner",
        "res_partner",
        "AFTER UPDATE OF commercial_partner_id ON res_partner FOR EACH ROW"
        " WHEN (old.commercial_partner_id IS DISTINCT FROM new.commercial_partner_id)"
        " EXECUTE FUNCTION customer_credit_total_partner()",
    ),
)
FUNCTIONS = (
    "customer_credit_refresh_orders(integer[])",
    "customer_credit_entry_line()",
    "customer_credit_entry_move()",
    "customer_credit_entry_account()",
    "customer_credit_order_row()",
    "customer_credit_refresh_totals(integer[])",
    "customer_credit_total_item()",
    "customer_credit_total_order()",
    "customer_credit_total_partner()",
    *(f"{name}()" for name, _orders in _STATEMENT_FUNCTIONS),
)


def triggers_ddl():
    return "\n".join(
        f"DROP TRIGGER IF EXISTS {name} ON {table};\nCREATE TRIGGER {name} {definition};"
        for name, table, definition in TRIGGERS
    )


def drop_ddl():
    """Everything the ledger adds to the database (uninstall)."""
    return "\n".join(
        [f"DROP TRIGGER IF EXISTS {name} ON {table};" for name, table, _d in TRIGGERS]
        + [f"DROP FUNCTION IF EXISTS {function};" for function in FUNCTIONS]
        + [f"DROP TABLE IF EXISTS {table};" for table in (ENTRY_TABLE, ORDER_TABLE, TOTAL_TABLE)]
    )


def set_triggers_ddl(enabled):
    """Switch the ledger's triggers on or off (a bulk load, then :func:`rebuild_ddl`)."""
    action = "ENABLE" if enabled else "DISABLE"
    return "\n".join(
        f"ALTER TABLE {table} {action} TRIGGER {name};" for name, table, _d in TRIGGERS
    )


def line_items_sql(where="TRUE"):
    """SELECT of the items of the open receivable lines ``aml`` (``where``: a further
    condition), columns: line_id, then :data:`_ITEM_COLUMNS`."""
    return f"""
    SELECT {_line_item_values("aml")}
      FROM account_move_line aml
     WHERE aml.partner_id IS NOT NULL AND {_open_line("aml")} AND {where}
    """


def draft_items_sql():
    """SELECT of the items of the draft customer invoices and credit notes ``am``:
    move_id, then :data:`_ITEM_COLUMNS`."""
    return f"""
    SELECT am.id, am.partner_id, am.company_id, NULL::integer, '{DRAFT}'::"char",
           NULL::date, am.amount_total_signed, NULL::date, NULL::date, NULL::date
      FROM account_move am
     WHERE {_DRAFT_MOVE.format(m="am")}
    """


def _order_items_sql(orders_sql_text):
    return f"""
    SELECT so.id, so.partner_id, so.company_id, o.amount
      FROM ({orders_sql_text}) AS o
      JOIN sale_order so ON so.id = o.key
     WHERE o.amount <> 0 AND so.partner_id IS NOT NULL
    """


def totals_sql(customer_ids=None):
    """SELECT of the totals from the item and order tables: partner_id (the customer,
    commercial partner of the documents' partners), company_id, amount, debt_due.
    ``customer_ids``: an array of customers (text) to restrict them to."""
    where = "TRUE"
    if customer_ids:
        where = (
            f"x.partner_id IN (SELECT p.id FROM res_partner p"
            f" WHERE p.commercial_partner_id = ANY({customer_ids}) OR p.id = ANY({customer_ids}))"
            f" AND COALESCE(rp.commercial_partner_id, x.partner_id) = ANY({customer_ids})"
        )
    return f"""
    SELECT COALESCE(rp.commercial_partner_id, x.partner_id) AS cid, x.company_id,
           SUM(x.amount), MIN(x.due) FILTER (WHERE x.kind = '{DEBT}')
      FROM (SELECT partner_id, company_id, amount, kind, due FROM {ENTRY_TABLE}
            UNION ALL
            SELECT partner_id, company_id, amount, NULL, NULL FROM {ORDER_TABLE}) AS x
      LEFT JOIN res_partner rp ON rp.id = x.partner_id
     WHERE {where}
     GROUP BY 1, 2
    """


def rebuild_ddl(orders_sql_text):
    """Fill the tables from the documents (install, an update that changes them, the
    end of a bulk load): the items and orders in bulk, then their totals in one pass
    (their row triggers are off meanwhile, in this transaction only: ``ALTER TABLE``
    locks the ledger's tables until it commits)."""
    toggle = [(name, table) for name, table, _d in TRIGGERS if name in TOTAL_TRIGGERS]
    return f"""
    TRUNCATE {ENTRY_TABLE}, {ORDER_TABLE}, {TOTAL_TABLE};
    {"".join(f"ALTER TABLE {table} DISABLE TRIGGER {name};" for name, table in toggle)}
    INSERT INTO {ENTRY_TABLE} (line_id, {_ITEM_COLUMNS}) {line_items_sql()};
    INSERT INTO {ENTRY_TABLE} (move_id, {_ITEM_COLUMNS}) {draft_items_sql()};
    INSERT INTO {ORDER_TABLE} (order_id, partner_id, company_id, amount)
    {_order_items_sql(orders_sql_text)};
    INSERT INTO {TOTAL_TABLE} (partner_id, company_id, amount, debt_due) {totals_sql()};
    {"".join(f"ALTER TABLE {table} ENABLE TRIGGER {name};" for name, table in toggle)}
    ANALYZE {ENTRY_TABLE};
    ANALYZE {ORDER_TABLE};
    ANALYZE {TOTAL_TABLE};
    """


def version(refresh_orders_text, all_orders_text):
    """A hash of the ledger's definition: a module update that changes it rebuilds."""
    text = TABLES_DDL + functions_ddl(refresh_orders_text) + triggers_ddl() + all_orders_text
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def drift_sql(orders_sql_text):
    """Rows where the tables differ from the documents (the totals: from the items and
    orders kept): (table, key, kept, documents). Empty when they agree."""
    return SQL(
        f"""
        WITH items AS (
            SELECT 'line' AS source, line_id AS id, {_ITEM_COLUMNS} FROM {ENTRY_TABLE}
             WHERE line_id IS NOT NULL
            UNION ALL
            SELECT 'move', move_id, {_ITEM_COLUMNS} FROM {ENTRY_TABLE}
             WHERE move_id IS NOT NULL
        ), documents AS (
            SELECT 'line' AS source, l.* FROM ({line_items_sql()})
                AS l(id, {_ITEM_COLUMNS})
            UNION ALL
            SELECT 'move', m.* FROM ({draft_items_sql()}) AS m(id, {_ITEM_COLUMNS})
        ), orders AS ({_order_items_sql(orders_sql_text)})
        SELECT COALESCE(k.source, d.source), COALESCE(k.id, d.id),
               row({_item_columns("k")})::text, row({_item_columns("d")})::text
          FROM items k
          FULL JOIN documents d ON d.source = k.source AND d.id = k.id
         WHERE ({_item_columns("k")}) IS DISTINCT FROM ({_item_columns("d")})
        UNION ALL
        SELECT 'order', COALESCE(k.order_id, o.id),
               row(k.partner_id, k.company_id, k.amount)::text,
               row(o.partner_id, o.company_id, o.amount)::text
          FROM {ORDER_TABLE} k
          FULL JOIN orders o ON o.id = k.order_id
         WHERE (k.partner_id, k.company_id, k.amount)
               IS DISTINCT FROM (o.partner_id, o.company_id, o.amount)
        UNION ALL
        -- a total of nothing (0, no debt) may stay behind when a customer's last item goes
        SELECT 'total', COALESCE(k.partner_id, s.partner_id),
               row(k.company_id, k.amount, k.debt_due)::text,
               row(s.company_id, s.amount, s.debt_due)::text
          FROM {TOTAL_TABLE} k
          FULL JOIN ({totals_sql()}) AS s(partner_id, company_id, amount, debt_due)
            ON s.partner_id = k.partner_id AND s.company_id = k.company_id
         WHERE (COALESCE(k.amount, 0), k.debt_due) IS DISTINCT FROM (COALESCE(s.amount, 0), s.debt_due)
        """
    )


def install(cr, refresh_orders_text, all_orders_text):
    """Create or update the tables, functions and triggers; rebuild the tables when the
    ledger's definition changed (or they are new). ``refresh_orders_text``: the orders
    of ``order_ids`` still to invoice; ``all_orders_text``: those of every order."""
    cr.execute(SQL(TABLES_DDL))
    cr.execute(SQL(functions_ddl(refresh_orders_text)))
    cr.execute(SQL(triggers_ddl()))
    current = version(refresh_orders_text, all_orders_text)
    cr.execute(SQL("SELECT obj_description(%s::regclass, 'pg_class')", ENTRY_TABLE))
    if cr.fetchone()[0] != current:
        cr.execute(SQL(rebuild_ddl(all_orders_text)))
        cr.execute(SQL(f"COMMENT ON TABLE {ENTRY_TABLE} IS '{current}'"))
        return True
    return False


def rebuild(cr, all_orders_text):
    """Fill the tables from the ledger again (after a bulk load with the triggers off)."""
    cr.execute(SQL(rebuild_ddl(all_orders_text)))


def uninstall(cr):
    cr.execute(SQL(drop_ddl()))
