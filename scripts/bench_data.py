"""Bulk generator of a receivable ledger for the customer_credit benchmarks.

Everything is written in set-based SQL (INSERT ... SELECT generate_series) so that
1,000,000 receivable lines take minutes, and kept coherent for Odoo: moves balance,
line and move residuals follow the partial reconciliations, full reconciliations and
matching numbers are set the way ``account.partial.reconcile`` sets them, sequences
are bumped. :func:`verify` proves it with SQL checks and with Odoo's own compute
methods on a sample.

Shape of the ledger (fractions of the customer invoices):

- 62.5 % fully paid: one payment (an entry in the bank journal, receivable credit
  against the outstanding receipts account), one partial and one full reconcile;
- 10 % partially paid (20-80 %): one payment and one partial reconcile;
- 27.5 % open; open and partly paid invoices are dated within the last 230 days, so
  that some are not yet due and most are overdue by 1 to 200 days;
- 10 % of the invoices (and their payments) are in EUR at a fixed rate;
- 0.5 % extra payments are not reconciled at all (unapplied payments);
- about a quarter of the customers have a contact, who gets some of the invoices;
- 5 % of the customers have a confirmed sales order not invoiced yet, 1 % a draft
  invoice; credit limits are set from the resulting exposure so that about 3 % of the
  customers are over their limit and 10 % have no limit.
"""

import json
import math
import time

from odoo import fields
from odoo.tools import SQL

PARAM_KEY = "customer_credit.bench_ledger"

PAID, PARTIAL, OPEN = 0.625, 0.10, 0.275
UNAPPLIED = 0.005
EUR_SHARE = 0.10
EUR_RATE = 0.92  # EUR per USD (company currency)


def invoice_count_for(lines):
    """Number of invoices that gives ``lines`` receivable lines in total."""
    return max(1, round(lines / (1 + PAID + PARTIAL + UNAPPLIED)))


def ledger_info(env):
    """What the database holds (None when no ledger was generated)."""
    value = env["ir.config_parameter"].sudo().get_param(PARAM_KEY)
    return json.loads(value) if value else None


def _reserve(cr, sequence, count):
    """Reserve ``count`` ids in ``sequence``; return the id before the first one."""
    cr.execute(SQL("SELECT nextval(%s)", sequence))
    first = cr.fetchone()[0]
    cr.execute(SQL("SELECT setval(%s, %s)", sequence, first + count))
    return first - 1


def _step(log, label, cr, query):
    started = time.perf_counter()
    cr.execute(query)
    rows = cr.rowcount if cr.rowcount >= 0 else ""
    log(f"  {label}: {rows} ({time.perf_counter() - started:.1f}s)")


def _prepare_odoo_records(env):
    """Records the SQL needs, created through the ORM: currency rate, product, ids."""
    company = env.ref("base.main_company")
    usd = company.currency_id
    eur = env.ref("base.EUR")
    if eur == usd:
        eur = env.ref("base.USD")
    eur.active = True
    env["res.currency.rate"].search(
        [("currency_id", "=", eur.id), ("company_id", "in", (company.id, False))]
    ).unlink()
    env["res.currency.rate"].create(
        {"currency_id": eur.id, "name": "2000-01-01", "rate": EUR_RATE, "company_id": company.id}
    )
    product = env["product.product"].create(
        {
            "name": "Bench Consulting",
            "type": "service",
            "invoice_policy": "order",
            "list_price": 100.0,
            "taxes_id": [fields.Command.clear()],
        }
    )
    sale_journal = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
    )
    bank_journal = env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
    )
    receivable = env["ir.default"]._get(
        "res.partner", "property_account_receivable_id", company_id=company.id
    )
    chart = env["account.chart.template"].with_company(company)
    outstanding = (
        chart.ref("account_journal_payment_debit_account_id", raise_if_not_found=False)
        or company.transfer_account_id
    )
    terms = [
        (env.ref("account.account_payment_term_15days").id, 15),
        (env.ref("account.account_payment_term_30days").id, 30),
        (env.ref("account.account_payment_term_45days").id, 45),
    ]
    env.flush_all()
    return {
        "company_id": company.id,
        "usd": usd.id,
        "eur": eur.id,
        "product_id": product.id,
        "uom_id": product.uom_id.id,
        "sale_journal": sale_journal.id,
        "income_account": sale_journal.default_account_id.id,
        "bank_journal": bank_journal.id,
        "receivable_account": receivable,
        "outstanding_account": outstanding.id,
        "terms": terms,
        "uid": env.uid,
    }


def _drop_indexes(cr, tables):
    """Drop the plain indexes of ``tables`` (faster bulk insert); return their definitions."""
    cr.execute(
        SQL(
            """
            SELECT i.indexname, i.indexdef
              FROM pg_indexes i
              JOIN pg_class c ON c.relname = i.indexname
              JOIN pg_index x ON x.indexrelid = c.oid
             WHERE i.tablename = ANY(%s) AND NOT x.indisprimary AND NOT x.indisunique
            """,
            list(tables),
        )
    )
    defs = cr.fetchall()
    for name, _definition in defs:
        cr.execute(SQL("DROP INDEX %s", SQL.identifier(name)))
    return [definition for _name, definition in defs]


def generate(env, customers, lines, log=print, seed=0.42):
    """Generate the ledger in the database of ``env`` and commit. Return statistics."""
    started = time.perf_counter()
    cr = env.cr
    today = fields.Date.context_today(env["res.partner"])
    ids = _prepare_odoo_records(env)
    invoices = invoice_count_for(lines)
    n_unapplied = max(1, round(invoices * UNAPPLIED))
    n_contacts = customers // 4
    log(
        f"generating {customers} customers, {invoices} invoices (~{lines} receivable lines) "
        f"into {cr.dbname}"
    )

    cr.execute("SET LOCAL synchronous_commit = off")
    cr.execute("SET LOCAL work_mem = '256MB'")
    # Referential integrity is guaranteed by construction and checked by verify():
    # skipping the per-row FK triggers divides the load time by several.
    cr.execute("SET LOCAL session_replication_role = replica")
    index_defs = _drop_indexes(
        cr,
        ["account_move_line", "account_move", "account_partial_reconcile", "res_partner"],
    )
    log(f"  dropped {len(index_defs)} indexes for the load")

    params = dict(
        ids,
        customers=customers,
        contacts=n_contacts,
        invoices=invoices,
        unapplied=n_unapplied,
        today=today,
        seed=seed,
        open=OPEN,
        partial=PARTIAL,
        eur_share=EUR_SHARE,
        eur_rate=EUR_RATE,
        term_ids=[t for t, _d in ids["terms"]],
        term_days=[d for _t, d in ids["terms"]],
    )

    # ---------------------------------------------------------------- partners
    params["partner0"] = _reserve(cr, "res_partner_id_seq", customers + n_contacts)
    _step(
        log,
        "customers",
        cr,
        SQL(
            """
            INSERT INTO res_partner (id, name, complete_name, commercial_company_name,
                   commercial_partner_id, is_company, type, active, customer_rank, supplier_rank,
                   lang, autopost_bills, email, ref, partner_share,
                   create_uid, write_uid, create_date, write_date)
            SELECT %(partner0)s + g, 'Bench Customer ' || lpad(g::text, 6, '0'),
                   'Bench Customer ' || lpad(g::text, 6, '0'),
                   'Bench Customer ' || lpad(g::text, 6, '0'),
                   %(partner0)s + g, TRUE, 'contact', TRUE, 1, 0, 'en_US', 'ask',
                   'ar' || g || '@bench.example.com', 'BC' || lpad(g::text, 6, '0'), TRUE,
                   %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM generate_series(1, %(customers)s) g
            """,
            **params,
        ),
    )
    # contacts of every 4th customer
    _step(
        log,
        "contacts",
        cr,
        SQL(
            """
            INSERT INTO res_partner (id, name, complete_name, commercial_company_name, parent_id,
                   commercial_partner_id, is_company, type, active, customer_rank, supplier_rank,
                   lang, autopost_bills, email, partner_share,
                   create_uid, write_uid, create_date, write_date)
            SELECT %(partner0)s + %(customers)s + g, 'Buyer ' || g,
                   'Bench Customer ' || lpad((4 * g - 3)::text, 6, '0') || ', Buyer ' || g,
                   'Bench Customer ' || lpad((4 * g - 3)::text, 6, '0'),
                   %(partner0)s + 4 * g - 3, %(partner0)s + 4 * g - 3, FALSE, 'contact', TRUE,
                   0, 0, 'en_US', 'ask', 'buyer' || g || '@bench.example.com', TRUE,
                   %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM generate_series(1, %(contacts)s) g
            """,
            **params,
        ),
    )

    # ---------------------------------------------------------------- invoice plan
    cr.execute(SQL("SELECT setseed(%s)", seed))
    cr.execute("DROP TABLE IF EXISTS bench_inv")
    _step(
        log,
        "invoice plan",
        cr,
        SQL(
            """
            CREATE TEMP TABLE bench_inv AS
            WITH r AS (
                SELECT g AS rn, random() AS u_status, random() AS u_partner, random() AS u_date,
                       random() AS u_amt, random() AS u_cur, random() AS u_term, random() AS u_pay,
                       random() AS u_contact, random() AS u_paid
                  FROM generate_series(1, %(invoices)s) g
            ), s AS (
                SELECT r.*,
                       CASE WHEN u_status < %(open)s THEN 'open'
                            WHEN u_status < %(open)s + %(partial)s THEN 'partial'
                            ELSE 'paid' END AS status,
                       1 + floor(%(customers)s * power(u_partner, 1.3))::int AS cust,
                       1 + floor(u_term * 3)::int AS term_idx,
                       u_cur < %(eur_share)s AS in_eur,
                       round(exp(ln(100) + u_amt * ln(100))::numeric, 2) AS amount_cur
                  FROM r
            ), d AS (
                SELECT s.*,
                       CASE WHEN status = 'paid' THEN %(today)s::date - floor(u_date * 730)::int
                            ELSE %(today)s::date - floor(power(u_date, 1.5) * 230)::int
                       END AS inv_date,
                       CASE WHEN status = 'paid' THEN amount_cur
                            WHEN status = 'partial'
                            THEN round(amount_cur * (0.2 + 0.6 * u_paid)::numeric, 2)
                            ELSE 0 END AS paid_cur
                  FROM s
            )
            SELECT d.rn, d.status, d.in_eur, d.inv_date, d.amount_cur, d.paid_cur,
                   %(partner0)s + d.cust AS partner_id,
                   CASE WHEN mod(d.cust, 4) = 1 AND (d.cust + 3) / 4 <= %(contacts)s
                             AND d.u_contact < 0.3
                        THEN %(partner0)s + %(customers)s + (d.cust + 3) / 4
                        ELSE %(partner0)s + d.cust END AS move_partner_id,
                   CASE WHEN d.in_eur THEN %(eur)s ELSE %(usd)s END AS currency_id,
                   CASE WHEN d.in_eur THEN round(d.amount_cur / %(eur_rate)s, 2)
                        ELSE d.amount_cur END AS amount,
                   CASE WHEN d.in_eur THEN round(d.paid_cur / %(eur_rate)s, 2)
                        ELSE d.paid_cur END AS paid,
                   (%(term_ids)s::int[])[d.term_idx] AS term_id,
                   d.inv_date + (%(term_days)s::int[])[d.term_idx] AS due_date,
                   LEAST(d.inv_date + floor(d.u_pay * 60)::int, %(today)s::date) AS pay_date,
                   CASE WHEN d.status <> 'open'
                        THEN count(*) FILTER (WHERE d.status <> 'open') OVER (ORDER BY d.rn)
                   END AS pay_rn,
                   CASE WHEN d.status = 'paid'
                        THEN count(*) FILTER (WHERE d.status = 'paid') OVER (ORDER BY d.rn)
                   END AS full_rn,
                   row_number() OVER (PARTITION BY extract(year FROM d.inv_date)
                                      ORDER BY d.inv_date, d.rn) AS seq
              FROM d
            """,
            **params,
        ),
    )
    cr.execute("CREATE INDEX ON bench_inv (rn)")
    cr.execute("ANALYZE bench_inv")
    cr.execute(
        "SELECT count(*) FILTER (WHERE status <> 'open'), count(*) FILTER (WHERE status = 'paid')"
        " FROM bench_inv"
    )
    n_payments, n_full = cr.fetchone()

    # payments: one per paid/partial invoice, plus unapplied ones
    cr.execute("DROP TABLE IF EXISTS bench_pay")
    _step(
        log,
        "payment plan",
        cr,
        SQL(
            """
            CREATE TEMP TABLE bench_pay AS
            SELECT pay_rn AS prn, rn AS inv_rn, partner_id, currency_id, in_eur,
                   pay_date, paid_cur AS amount_cur, paid AS amount
              FROM bench_inv WHERE status <> 'open'
            UNION ALL
            SELECT %(n_payments)s + g, NULL,
                   %(partner0)s + 1 + floor(%(customers)s * random())::int,
                   %(usd)s, FALSE, %(today)s::date - floor(random() * 90)::int,
                   round((50 + random() * 2000)::numeric, 2), NULL
              FROM generate_series(1, %(unapplied)s) g
            """,
            n_payments=n_payments,
            **params,
        ),
    )
    cr.execute("UPDATE bench_pay SET amount = amount_cur WHERE amount IS NULL")
    cr.execute(
        "ALTER TABLE bench_pay ADD COLUMN seq bigint; "
        "UPDATE bench_pay p SET seq = s.seq FROM (SELECT prn, row_number() OVER ("
        "PARTITION BY extract(year FROM pay_date) ORDER BY pay_date, prn) AS seq FROM bench_pay) s "
        "WHERE s.prn = p.prn"
    )
    cr.execute("ANALYZE bench_pay")
    cr.execute("SELECT count(*) FROM bench_pay")
    n_all_payments = cr.fetchone()[0]

    params["move0"] = _reserve(cr, "account_move_id_seq", invoices + n_all_payments)
    params["pmove0"] = params["move0"] + invoices
    params["line0"] = _reserve(cr, "account_move_line_id_seq", 2 * (invoices + n_all_payments))
    params["pline0"] = params["line0"] + 2 * invoices
    params["partial0"] = _reserve(cr, "account_partial_reconcile_id_seq", n_payments)
    params["full0"] = _reserve(cr, "account_full_reconcile_id_seq", n_full)

    # ---------------------------------------------------------------- invoices
    _step(
        log,
        "invoices (account_move)",
        cr,
        SQL(
            """
            INSERT INTO account_move (id, name, sequence_prefix, sequence_number, journal_id,
                   company_id, partner_id, commercial_partner_id, currency_id, state, move_type,
                   auto_post, date, invoice_date, invoice_date_due, invoice_payment_term_id,
                   payment_reference, invoice_partner_display_name, invoice_currency_rate,
                   amount_untaxed, amount_tax, amount_total, amount_residual,
                   amount_untaxed_signed, amount_untaxed_in_currency_signed, amount_tax_signed,
                   amount_total_signed, amount_total_in_currency_signed, amount_residual_signed,
                   payment_state, posted_before, checked, is_move_sent, made_sequence_gap,
                   always_tax_exigible, is_storno, create_uid, write_uid, create_date, write_date)
            SELECT %(move0)s + i.rn,
                   'INV/' || extract(year FROM i.inv_date) || '/' || lpad(i.seq::text, GREATEST(6, length(i.seq::text)), '0'),
                   'INV/' || extract(year FROM i.inv_date) || '/', i.seq, %(sale_journal)s,
                   %(company_id)s, i.move_partner_id, i.partner_id, i.currency_id, 'posted',
                   'out_invoice', 'no', i.inv_date, i.inv_date, i.due_date, i.term_id,
                   'INV/' || extract(year FROM i.inv_date) || '/' || lpad(i.seq::text, GREATEST(6, length(i.seq::text)), '0'),
                   p.complete_name,
                   CASE WHEN i.in_eur THEN %(eur_rate)s ELSE 1 END,
                   i.amount_cur, 0, i.amount_cur, i.amount_cur - i.paid_cur,
                   i.amount, i.amount_cur, 0,
                   i.amount, i.amount_cur, i.amount - i.paid,
                   CASE i.status WHEN 'paid' THEN 'paid' WHEN 'partial' THEN 'partial'
                        ELSE 'not_paid' END,
                   TRUE, TRUE, TRUE, FALSE, FALSE, FALSE,
                   %(uid)s, %(uid)s, i.inv_date, i.inv_date
              FROM bench_inv i
              JOIN res_partner p ON p.id = i.move_partner_id
            """,
            **params,
        ),
    )
    _step(
        log,
        "invoice lines (receivable + income)",
        cr,
        SQL(
            """
            INSERT INTO account_move_line (id, move_id, journal_id, company_id,
                   company_currency_id, currency_id, account_id, partner_id, sequence,
                   display_type, move_name, parent_state, name, date, invoice_date, date_maturity,
                   debit, credit, balance, amount_currency, amount_residual,
                   amount_residual_currency, reconciled, full_reconcile_id, matching_number,
                   quantity, price_unit, price_subtotal, price_total, discount,
                   discount_amount_currency, discount_balance, tax_base_amount, product_id,
                   product_uom_id, tax_tag_invert, is_imported, is_downpayment,
                   create_uid, write_uid, create_date, write_date)
            SELECT %(line0)s + 2 * i.rn - 1, %(move0)s + i.rn, %(sale_journal)s, %(company_id)s,
                   %(usd)s, i.currency_id, %(receivable_account)s, i.partner_id, 10000,
                   'payment_term', m.name, 'posted', m.name, i.inv_date, i.inv_date, i.due_date,
                   i.amount, 0, i.amount, i.amount_cur, i.amount - i.paid,
                   i.amount_cur - i.paid_cur, i.status = 'paid',
                   CASE WHEN i.status = 'paid' THEN %(full0)s + i.full_rn END,
                   CASE WHEN i.status = 'paid' THEN (%(full0)s + i.full_rn)::text
                        WHEN i.status = 'partial' THEN 'P' || (%(partial0)s + i.pay_rn) END,
                   0, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, FALSE, FALSE, FALSE,
                   %(uid)s, %(uid)s, i.inv_date, i.inv_date
              FROM bench_inv i JOIN account_move m ON m.id = %(move0)s + i.rn
            UNION ALL
            SELECT %(line0)s + 2 * i.rn, %(move0)s + i.rn, %(sale_journal)s, %(company_id)s,
                   %(usd)s, i.currency_id, %(income_account)s, i.partner_id, 10,
                   'product', m.name, 'posted', 'Bench Consulting', i.inv_date, i.inv_date, NULL,
                   0, i.amount, -i.amount, -i.amount_cur, 0, 0, FALSE, NULL, NULL,
                   1, i.amount_cur, i.amount_cur, i.amount_cur, 0, 0, 0, 0,
                   %(product_id)s, %(uom_id)s, TRUE, FALSE, FALSE,
                   %(uid)s, %(uid)s, i.inv_date, i.inv_date
              FROM bench_inv i JOIN account_move m ON m.id = %(move0)s + i.rn
            """,
            **params,
        ),
    )

    # ---------------------------------------------------------------- payments
    _step(
        log,
        "payments (account_move)",
        cr,
        SQL(
            """
            INSERT INTO account_move (id, name, sequence_prefix, sequence_number, journal_id,
                   company_id, partner_id, commercial_partner_id, currency_id, state, move_type,
                   auto_post, date, ref, amount_untaxed, amount_tax, amount_total,
                   amount_residual, amount_untaxed_signed, amount_untaxed_in_currency_signed,
                   amount_tax_signed, amount_total_signed, amount_total_in_currency_signed,
                   amount_residual_signed, payment_state, posted_before, checked, is_move_sent,
                   made_sequence_gap, always_tax_exigible, is_storno,
                   create_uid, write_uid, create_date, write_date)
            SELECT %(pmove0)s + p.prn,
                   'PBNK1/' || extract(year FROM p.pay_date) || '/' || lpad(p.seq::text, GREATEST(6, length(p.seq::text)), '0'),
                   'PBNK1/' || extract(year FROM p.pay_date) || '/', p.seq, %(bank_journal)s,
                   %(company_id)s, p.partner_id, p.partner_id, p.currency_id, 'posted', 'entry',
                   'no', p.pay_date, 'Customer payment', 0, 0, p.amount_cur, 0, 0, 0, 0,
                   p.amount, p.amount_cur, 0, 'not_paid', TRUE, TRUE, FALSE, FALSE, FALSE, FALSE,
                   %(uid)s, %(uid)s, p.pay_date, p.pay_date
              FROM bench_pay p
            """,
            **params,
        ),
    )
    _step(
        log,
        "payment lines (receivable + outstanding)",
        cr,
        SQL(
            """
            INSERT INTO account_move_line (id, move_id, journal_id, company_id,
                   company_currency_id, currency_id, account_id, partner_id, sequence,
                   display_type, move_name, parent_state, name, date, date_maturity,
                   debit, credit, balance, amount_currency, amount_residual,
                   amount_residual_currency, reconciled, full_reconcile_id, matching_number,
                   discount_amount_currency, discount_balance, tax_base_amount,
                   tax_tag_invert, is_imported, is_downpayment,
                   create_uid, write_uid, create_date, write_date)
            SELECT %(pline0)s + 2 * p.prn - 1, %(pmove0)s + p.prn, %(bank_journal)s,
                   %(company_id)s, %(usd)s, p.currency_id, %(receivable_account)s, p.partner_id,
                   10, 'product', m.name, 'posted', 'Customer payment', p.pay_date, p.pay_date,
                   0, p.amount, -p.amount, -p.amount_cur,
                   CASE WHEN p.inv_rn IS NULL THEN -p.amount ELSE 0 END,
                   CASE WHEN p.inv_rn IS NULL THEN -p.amount_cur ELSE 0 END,
                   p.inv_rn IS NOT NULL,
                   CASE WHEN i.status = 'paid' THEN %(full0)s + i.full_rn END,
                   CASE WHEN i.status = 'paid' THEN (%(full0)s + i.full_rn)::text
                        WHEN i.status = 'partial' THEN 'P' || (%(partial0)s + i.pay_rn) END,
                   0, 0, 0, FALSE, FALSE, FALSE, %(uid)s, %(uid)s, p.pay_date, p.pay_date
              FROM bench_pay p
              JOIN account_move m ON m.id = %(pmove0)s + p.prn
              LEFT JOIN bench_inv i ON i.rn = p.inv_rn
            UNION ALL
            SELECT %(pline0)s + 2 * p.prn, %(pmove0)s + p.prn, %(bank_journal)s, %(company_id)s,
                   %(usd)s, p.currency_id, %(outstanding_account)s, p.partner_id, 20, 'product',
                   m.name, 'posted', 'Customer payment', p.pay_date, p.pay_date,
                   p.amount, 0, p.amount, p.amount_cur, p.amount, p.amount_cur, FALSE, NULL, NULL,
                   0, 0, 0, FALSE, FALSE, FALSE, %(uid)s, %(uid)s, p.pay_date, p.pay_date
              FROM bench_pay p JOIN account_move m ON m.id = %(pmove0)s + p.prn
            """,
            **params,
        ),
    )
    # A partially paid invoice of a paid-and-partial... partial payments fully consume the
    # payment line: the payment's receivable line is reconciled (residual 0) in both cases.

    # ---------------------------------------------------------------- reconciliation
    _step(
        log,
        "full reconciles",
        cr,
        SQL(
            """
            INSERT INTO account_full_reconcile (id, create_uid, write_uid, create_date, write_date)
            SELECT %(full0)s + g, %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC',
                   now() AT TIME ZONE 'UTC'
              FROM generate_series(1, %(n_full)s) g
            """,
            n_full=n_full,
            **params,
        ),
    )
    _step(
        log,
        "partial reconciles",
        cr,
        SQL(
            """
            INSERT INTO account_partial_reconcile (id, debit_move_id, credit_move_id,
                   full_reconcile_id, debit_currency_id, credit_currency_id, company_id,
                   max_date, amount, debit_amount_currency, credit_amount_currency,
                   create_uid, write_uid, create_date, write_date)
            SELECT %(partial0)s + i.pay_rn, %(line0)s + 2 * i.rn - 1,
                   %(pline0)s + 2 * i.pay_rn - 1,
                   CASE WHEN i.status = 'paid' THEN %(full0)s + i.full_rn END,
                   i.currency_id, i.currency_id, %(company_id)s,
                   GREATEST(i.inv_date, i.pay_date), i.paid, i.paid_cur, i.paid_cur,
                   %(uid)s, %(uid)s, i.pay_date, i.pay_date
              FROM bench_inv i WHERE i.status <> 'open'
            """,
            **params,
        ),
    )

    # ---------------------------------------------------------------- drafts and orders
    n_drafts = max(1, customers // 100)
    n_orders = max(1, customers // 20)
    params.update(n_drafts=n_drafts, n_orders=n_orders)
    cr.execute("SET LOCAL session_replication_role = origin")
    _step(
        log,
        "draft invoices",
        cr,
        SQL(
            """
            WITH d AS (
                SELECT g, %(partner0)s + 1 + mod(g * 97, %(customers)s) AS partner_id,
                       round((200 + random() * 5000)::numeric, 2) AS amount
                  FROM generate_series(1, %(n_drafts)s) g
            ), m AS (
                INSERT INTO account_move (journal_id, company_id, partner_id,
                       commercial_partner_id, currency_id, state, move_type, auto_post, date,
                       invoice_date_due, name, amount_untaxed, amount_tax, amount_total,
                       amount_residual, amount_untaxed_signed, amount_untaxed_in_currency_signed,
                       amount_tax_signed, amount_total_signed, amount_total_in_currency_signed,
                       amount_residual_signed, payment_state, invoice_currency_rate,
                       posted_before, checked, is_move_sent, made_sequence_gap,
                       always_tax_exigible, is_storno, invoice_payment_term_id,
                       create_uid, write_uid, create_date, write_date)
                SELECT %(sale_journal)s, %(company_id)s, d.partner_id, d.partner_id, %(usd)s,
                       'draft', 'out_invoice', 'no', %(today)s, %(today)s::date + 30, '/',
                       d.amount, 0, d.amount, d.amount, d.amount, d.amount, 0, d.amount, d.amount,
                       d.amount, 'not_paid', 1, FALSE, FALSE, FALSE, FALSE, FALSE, FALSE,
                       %(terms_30)s, %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC',
                       now() AT TIME ZONE 'UTC'
                  FROM d
                RETURNING id, partner_id, amount_total
            )
            INSERT INTO account_move_line (move_id, journal_id, company_id, company_currency_id,
                   currency_id, account_id, partner_id, sequence, display_type, move_name,
                   parent_state, name, date, date_maturity, debit, credit, balance,
                   amount_currency, amount_residual, amount_residual_currency, reconciled,
                   quantity, price_unit, price_subtotal, price_total, discount,
                   discount_amount_currency, discount_balance, tax_base_amount, product_id,
                   product_uom_id, tax_tag_invert, is_imported, is_downpayment,
                   create_uid, write_uid, create_date, write_date)
            SELECT m.id, %(sale_journal)s, %(company_id)s, %(usd)s, %(usd)s,
                   %(receivable_account)s, m.partner_id, 10000, 'payment_term', '/', 'draft', '',
                   %(today)s, %(today)s::date + 30, m.amount_total, 0, m.amount_total,
                   m.amount_total, m.amount_total, m.amount_total, FALSE,
                   0, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, FALSE, FALSE, FALSE,
                   %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM m
            UNION ALL
            SELECT m.id, %(sale_journal)s, %(company_id)s, %(usd)s, %(usd)s, %(income_account)s,
                   m.partner_id, 10, 'product', '/', 'draft', 'Bench Consulting', %(today)s, NULL,
                   0, m.amount_total, -m.amount_total, -m.amount_total, 0, 0, FALSE,
                   1, m.amount_total, m.amount_total, m.amount_total, 0, 0, 0, 0,
                   %(product_id)s, %(uom_id)s, TRUE, FALSE, FALSE,
                   %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM m
            """,
            terms_30=ids["terms"][1][0],
            **params,
        ),
    )
    t = time.perf_counter()
    insert_orders(
        cr,
        SQL(
            """
            SELECT 'SB' || lpad(g::text, 6, '0'),
                   %(partner0)s + 1 + mod(g * 131, %(customers)s), 'sale',
                   %(today)s::date - mod(g, 20), 1 + floor(random() * 20)::int,
                   round((50 + random() * 500)::numeric, 2)
              FROM generate_series(1, %(n_orders)s) g
            """,
            **params,
        ),
        company_id=params["company_id"],
        currency_id=params["usd"],
        uid=params["uid"],
        product_id=params["product_id"],
        uom_id=params["uom_id"],
    )
    log(f"  confirmed sales orders: {cr.rowcount} ({time.perf_counter() - t:.1f}s)")

    # ---------------------------------------------------------------- indexes, stats
    t = time.perf_counter()
    for definition in index_defs:
        cr.execute(definition)
    log(f"  recreated {len(index_defs)} indexes ({time.perf_counter() - t:.1f}s)")
    cr.execute("DROP TABLE bench_inv; DROP TABLE bench_pay")
    # the load ran with triggers off (session_replication_role): fill the exposure
    # ledger from the documents, as installing the module does
    t = time.perf_counter()
    env["customer.credit.monitor"]._rebuild_exposure_ledger()
    log(f"  exposure ledger rebuilt ({time.perf_counter() - t:.1f}s)")
    t = time.perf_counter()
    filled = env["customer.credit.aging.item"]._fill_match_first_dates()
    log(f"  first dates of {filled} matches ({time.perf_counter() - t:.1f}s)")
    env.invalidate_all()

    # ---------------------------------------------------------------- credit limits
    _set_credit_limits(env, params, log)

    info = {
        "customers": customers,
        "contacts": n_contacts,
        "invoices": invoices,
        "payments": n_all_payments,
        "requested_lines": lines,
        "generated_at": fields.Datetime.to_string(fields.Datetime.now()),
        "generation_seconds": None,
    }
    info["generation_seconds"] = round(time.perf_counter() - started, 1)
    env["ir.config_parameter"].sudo().set_param(PARAM_KEY, json.dumps(info))
    env.flush_all()
    cr.commit()
    t = time.perf_counter()
    _vacuum_analyze(cr.dbname)
    log(f"  VACUUM ANALYZE ({time.perf_counter() - t:.1f}s)")
    info["generation_seconds_with_vacuum"] = round(time.perf_counter() - started, 1)
    env["ir.config_parameter"].sudo().set_param(PARAM_KEY, json.dumps(info))
    cr.commit()
    log(f"ledger generated in {info['generation_seconds_with_vacuum']}s")
    return info


def insert_orders(cr, orders, company_id, currency_id, uid, product_id, uom_id):
    """Insert one-line sales orders in SQL. ``orders``: an SQL query giving (name,
    partner_id, state, date_order, qty, price) per order. A confirmed order ('sale') is
    still to invoice for its whole quantity; a quotation ('draft', 'sent') is not."""
    cr.execute(
        SQL(
            """
            WITH o AS MATERIALIZED (
                SELECT * FROM (%(orders)s) AS o(name, partner_id, state, date_order, qty, price)
            ), so AS (
                INSERT INTO sale_order (company_id, partner_id, partner_invoice_id,
                       partner_shipping_id, name, state, date_order, currency_id, currency_rate,
                       invoice_status, amount_untaxed, amount_tax, amount_total, locked,
                       require_signature, require_payment, prepayment_percent,
                       create_uid, write_uid, create_date, write_date, user_id)
                SELECT %(company_id)s, o.partner_id, o.partner_id, o.partner_id, o.name,
                       o.state, o.date_order, %(currency_id)s, 1,
                       CASE WHEN o.state = 'sale' THEN 'to invoice' ELSE 'no' END,
                       o.qty * o.price, 0, o.qty * o.price, FALSE, FALSE, FALSE, 1,
                       %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC',
                       %(uid)s
                  FROM o
                RETURNING id, name, partner_id, state, amount_total
            )
            INSERT INTO sale_order_line (order_id, name, sequence, company_id, currency_id,
                   order_partner_id, salesman_id, state, product_id, product_uom, product_uom_qty,
                   price_unit, technical_price_unit, discount, price_subtotal, price_tax,
                   price_total, price_reduce_taxexcl, price_reduce_taxinc, customer_lead,
                   qty_delivered_method, qty_delivered, qty_invoiced, qty_to_invoice,
                   invoice_status, untaxed_amount_invoiced, untaxed_amount_to_invoice,
                   is_downpayment, is_expense, create_uid, write_uid, create_date, write_date)
            SELECT so.id, 'Bench Consulting', 10, %(company_id)s, %(currency_id)s, so.partner_id,
                   %(uid)s, so.state, %(product_id)s, %(uom_id)s, o.qty, o.price, o.price, 0,
                   so.amount_total, 0, so.amount_total, o.price, o.price, 0, 'manual', 0, 0,
                   CASE WHEN so.state = 'sale' THEN o.qty ELSE 0 END,
                   CASE WHEN so.state = 'sale' THEN 'to invoice' ELSE 'no' END, 0,
                   CASE WHEN so.state = 'sale' THEN so.amount_total ELSE 0 END, FALSE, FALSE,
                   %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM so
              JOIN o ON o.name = so.name
            """,
            orders=orders,
            company_id=company_id,
            currency_id=currency_id,
            uid=uid,
            product_id=product_id,
            uom_id=uom_id,
        )
    )


def _vacuum_analyze(dbname):
    """VACUUM ANALYZE outside a transaction: statistics, and the visibility map that
    index-only scans need (a production ledger is vacuumed by autovacuum)."""
    from odoo.sql_db import db_connect  # noqa: PLC0415

    with db_connect(dbname).cursor() as vcr:
        vcr._cnx.autocommit = True
        try:
            vcr.execute("VACUUM ANALYZE")
        finally:
            vcr._cnx.autocommit = False


def _set_credit_limits(env, params, log):
    """Credit limits from the exposure: ~3 % over, ~10 % without limit, the rest under."""
    from odoo.addons.customer_credit.tools.credit_exposure import exposure_sql

    cr = env.cr
    cr.execute("ANALYZE res_partner; ANALYZE account_move_line; ANALYZE account_move")
    started = time.perf_counter()
    cr.execute(
        SQL(
            """
            WITH e AS (
                SELECT e.partner_id,
                       e.not_due + e.overdue + e.unapplied + e.drafts + e.orders AS exposure
                  FROM (%(exposure)s) AS e(partner_id, not_due, overdue, days, unapplied,
                                           drafts, orders)
            ), c AS (
                SELECT p.id, COALESCE(e.exposure, 0) AS exposure, random() AS u, random() AS v
                  FROM res_partner p LEFT JOIN e ON e.partner_id = p.id
                 WHERE p.id > %(partner0)s AND p.id <= %(partner0)s + %(customers)s
            )
            UPDATE res_partner p
               SET credit_limit = jsonb_build_object(%(company_key)s, c.limit_value)
              FROM (SELECT id,
                           CASE WHEN u < 0.10 THEN NULL
                                WHEN exposure <= 0 THEN round((10000 + v * 90000)::numeric, -2)
                                WHEN u < 0.13
                                THEN GREATEST(round(exposure * (0.5 + 0.45 * v)::numeric, -2), 100)
                                ELSE round(exposure * (1.1 + 2 * v)::numeric, -2) + 1000
                           END AS limit_value
                      FROM c) c
             WHERE p.id = c.id AND c.limit_value IS NOT NULL
            """,
            exposure=exposure_sql(params["company_id"], params["today"]),
            company_key=str(params["company_id"]),
            **params,
        )
    )
    log(f"  credit limits on {cr.rowcount} customers ({time.perf_counter() - started:.1f}s)")


# -------------------------------------------------------------------- verification


def dataset_counts(env):
    """Counts describing the generated ledger."""
    cr = env.cr
    cr.execute(
        """
        SELECT
          (SELECT count(*) FROM res_partner WHERE is_company AND customer_rank > 0
                  AND name LIKE 'Bench Customer %%'),
          (SELECT count(*) FROM res_partner WHERE parent_id IS NOT NULL
                  AND name LIKE 'Buyer %%'),
          (SELECT count(*) FROM account_move WHERE state = 'posted' AND move_type = 'out_invoice'),
          (SELECT count(*) FROM account_move WHERE state = 'posted' AND move_type = 'entry'),
          (SELECT count(*) FROM account_move WHERE state = 'draft'),
          (SELECT count(*) FROM account_partial_reconcile),
          (SELECT count(*) FROM account_full_reconcile),
          (SELECT count(*) FROM sale_order WHERE state = 'sale'),
          (SELECT count(*) FROM res_partner WHERE credit_limit IS NOT NULL)
        """
    )
    (companies, contacts, invoices, payments, drafts, partials, fulls, orders, limits) = (
        cr.fetchone()
    )
    cr.execute(
        """
        SELECT count(*),
               count(*) FILTER (WHERE NOT aml.reconciled AND aml.amount_residual <> 0),
               count(*) FILTER (WHERE NOT aml.reconciled AND aml.amount_residual > 0
                                AND aml.date_maturity < CURRENT_DATE),
               count(*) FILTER (WHERE NOT aml.reconciled AND aml.amount_residual > 0
                                AND aml.date_maturity >= CURRENT_DATE),
               count(*) FILTER (WHERE NOT aml.reconciled AND aml.amount_residual > 0
                                AND aml.amount_residual < aml.balance),
               count(*) FILTER (WHERE NOT aml.reconciled AND aml.amount_residual < 0),
               count(*) FILTER (WHERE aml.currency_id <> aml.company_currency_id),
               max(CURRENT_DATE - aml.date_maturity) FILTER (
                   WHERE NOT aml.reconciled AND aml.amount_residual > 0),
               min(aml.date), max(aml.date)
          FROM account_move_line aml
          JOIN account_account a ON a.id = aml.account_id
         WHERE a.account_type = 'asset_receivable' AND aml.parent_state = 'posted'
        """
    )
    row = cr.fetchone()
    return {
        "customers": companies,
        "contacts": contacts,
        "posted_invoices": invoices,
        "posted_payments": payments,
        "draft_invoices": drafts,
        "partial_reconciles": partials,
        "full_reconciles": fulls,
        "confirmed_orders": orders,
        "partners_with_limit": limits,
        "receivable_lines": row[0],
        "open_receivable_lines": row[1],
        "open_overdue_lines": row[2],
        "open_not_due_lines": row[3],
        "open_partially_paid_lines": row[4],
        "unapplied_payment_lines": row[5],
        "foreign_currency_lines": row[6],
        "max_days_overdue": row[7],
        "date_from": str(row[8]),
        "date_to": str(row[9]),
    }


SQL_CHECKS = {
    # each query returns the number of offending rows: 0 means the check passes
    "unbalanced_moves": """
        SELECT count(*) FROM (
            SELECT move_id FROM account_move_line GROUP BY move_id
            HAVING sum(balance) <> 0 OR sum(debit) <> sum(credit)) x""",
    "unbalanced_moves_in_currency": """
        SELECT count(*) FROM (
            SELECT move_id FROM account_move_line GROUP BY move_id
            HAVING count(DISTINCT currency_id) = 1 AND sum(amount_currency) <> 0) x""",
    "receivable_residual_mismatch": """
        SELECT count(*) FROM account_move_line aml
          JOIN account_account a ON a.id = aml.account_id AND a.account_type = 'asset_receivable'
          LEFT JOIN (SELECT debit_move_id AS id, sum(amount) AS amt,
                            sum(debit_amount_currency) AS cur
                       FROM account_partial_reconcile GROUP BY 1) d ON d.id = aml.id
          LEFT JOIN (SELECT credit_move_id AS id, sum(amount) AS amt,
                            sum(credit_amount_currency) AS cur
                       FROM account_partial_reconcile GROUP BY 1) c ON c.id = aml.id
         WHERE aml.amount_residual <> aml.balance - COALESCE(d.amt, 0) + COALESCE(c.amt, 0)
            OR aml.amount_residual_currency
               <> aml.amount_currency - COALESCE(d.cur, 0) + COALESCE(c.cur, 0)""",
    "reconciled_flag_mismatch": """
        SELECT count(*) FROM account_move_line aml
          JOIN account_account a ON a.id = aml.account_id AND a.account_type = 'asset_receivable'
         WHERE aml.reconciled <> (aml.amount_residual = 0 AND aml.amount_residual_currency = 0)""",
    "full_reconcile_not_zero": """
        SELECT count(*) FROM (
            SELECT full_reconcile_id FROM account_move_line WHERE full_reconcile_id IS NOT NULL
             GROUP BY 1 HAVING sum(balance) <> 0 OR bool_or(amount_residual <> 0)) x""",
    "matching_number_mismatch": """
        SELECT count(*) FROM account_move_line aml
         WHERE (aml.full_reconcile_id IS NOT NULL
                AND aml.matching_number IS DISTINCT FROM aml.full_reconcile_id::text)
            OR (aml.full_reconcile_id IS NULL AND aml.matching_number IS NOT NULL
                AND aml.matching_number NOT IN (
                    SELECT 'P' || min(p.id) FROM account_partial_reconcile p
                     WHERE p.debit_move_id = aml.id OR p.credit_move_id = aml.id))""",
    "move_residual_mismatch": """
        SELECT count(*) FROM account_move m
          JOIN (SELECT move_id, sum(amount_residual) AS r, sum(amount_residual_currency) AS rc
                  FROM account_move_line WHERE display_type = 'payment_term' GROUP BY 1) l
            ON l.move_id = m.id
         WHERE m.move_type = 'out_invoice'
           AND (m.amount_residual_signed <> l.r OR m.amount_residual <> l.rc)""",
    "payment_state_mismatch": """
        SELECT count(*) FROM account_move m
         WHERE m.move_type = 'out_invoice' AND m.state = 'posted'
           AND m.payment_state <> CASE WHEN m.amount_residual = 0 THEN 'paid'
                                       WHEN m.amount_residual < m.amount_total THEN 'partial'
                                       ELSE 'not_paid' END""",
    "dangling_partner": """
        SELECT count(*) FROM account_move_line aml
         WHERE aml.partner_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM res_partner p WHERE p.id = aml.partner_id)""",
    "dangling_partial_line": """
        SELECT count(*) FROM account_partial_reconcile p
         WHERE NOT EXISTS (SELECT 1 FROM account_move_line l WHERE l.id = p.debit_move_id)
            OR NOT EXISTS (SELECT 1 FROM account_move_line l WHERE l.id = p.credit_move_id)""",
    "receivable_line_partner_not_commercial": """
        SELECT count(*) FROM account_move_line aml
          JOIN res_partner p ON p.id = aml.partner_id
         WHERE aml.display_type = 'payment_term' AND p.commercial_partner_id <> p.id""",
    "duplicate_move_names": """
        SELECT count(*) FROM (SELECT name, journal_id FROM account_move
                               WHERE state = 'posted' GROUP BY 1, 2 HAVING count(*) > 1) x""",
}


def verify_sql(env, log=print):
    """Run the coherence checks in SQL; return {check: offending rows}."""
    results = {}
    for name, query in SQL_CHECKS.items():
        env.cr.execute(query)
        results[name] = env.cr.fetchone()[0]
        log(f"  check {name}: {'ok' if not results[name] else results[name]}")
    # the exposure ledger the triggers keep equals the documents
    drift = env["customer.credit.monitor"]._exposure_ledger_drift()
    results["exposure_ledger_drift"] = len(drift)
    log(f"  check exposure_ledger_drift: {'ok' if not drift else drift[:5]}")
    return results


def verify_orm(env, partner_ids, log=print):
    """Odoo's own computations agree with the stored data, on a sample.

    - account.move.line: amount_residual, amount_residual_currency, reconciled recomputed
      by ``_compute_amount_residual`` equal the stored values;
    - account.move: amount_total, amount_residual(_signed), payment_state recomputed by
      Odoo equal the stored values;
    - partners: native ``credit`` equals the sum of the open receivable residuals and our
      receivables (not due + overdue + unapplied); native ``credit_to_invoice`` equals our
      ``credit_orders_uninvoiced``.
    Runs inside the caller's transaction (roll it back afterwards).
    """
    from odoo.addons.customer_credit.tools.credit_exposure import EXPOSURE_COMPONENTS  # noqa: PLC0415
    from odoo.addons.customer_credit.tools.credit_exposure import exposure_sql  # noqa: PLC0415

    Move = env["account.move"]
    Line = env["account.move.line"]
    partners = env["res.partner"].browse(partner_ids)
    moves = Move.search(
        [
            ("commercial_partner_id", "in", partners.ids),
            ("move_type", "in", ("out_invoice", "entry")),
        ]
    )
    lines = moves.line_ids
    line_fields = ["amount_residual", "amount_residual_currency", "reconciled"]
    move_fields = [
        "amount_total",
        "amount_residual",
        "amount_residual_signed",
        "amount_total_signed",
        "payment_state",
    ]
    stored_lines = {r["id"]: r for r in lines.read(line_fields)}
    stored_moves = {r["id"]: r for r in moves.read(move_fields)}
    line_field = Line._fields["amount_residual"]
    line_field.compute_value(lines)
    move_amount = Move._fields["amount_residual"]
    move_amount.compute_value(moves)
    Move._fields["payment_state"].compute_value(moves)
    bad_lines = [
        (line.id, name, stored_lines[line.id][name], line[name])
        for line in lines
        for name in line_fields
        if _differs(stored_lines[line.id][name], line[name])
    ]
    bad_moves = [
        (move.id, name, stored_moves[move.id][name], move[name])
        for move in moves
        for name in move_fields
        if _differs(stored_moves[move.id][name], move[name])
    ]
    env.invalidate_all()

    company = env.company
    company.account_use_credit_limit = True
    exposure = partners._credit_exposure_by_partner()
    env.cr.execute(
        SQL(
            """
            SELECT aml.partner_id, sum(aml.amount_residual)
              FROM account_move_line aml
              JOIN account_account a ON a.id = aml.account_id
             WHERE a.account_type = 'asset_receivable' AND aml.parent_state = 'posted'
               AND NOT aml.reconciled AND aml.partner_id = ANY(%s)
             GROUP BY 1
            """,
            partners.ids,
        )
    )
    sql_credit = dict(env.cr.fetchall())
    bad_partners = []
    for partner in partners:
        ours = exposure.get(partner.id) or {}
        ours_receivable = sum(
            ours.get(k, 0.0)
            for k in ("credit_receivable_not_due", "credit_overdue", "credit_unapplied")
        )
        native = partner.credit
        direct = float(sql_credit.get(partner.id, 0.0))
        orders = ours.get("credit_orders_uninvoiced", 0.0)
        if (
            abs(native - direct) > 0.005
            or abs(native - ours_receivable) > 0.005
            or abs(partner.credit_to_invoice - orders) > 0.005
        ):
            bad_partners.append(
                (partner.id, native, direct, ours_receivable, partner.credit_to_invoice, orders)
            )
    # reading the computed field through the ORM gives the same total
    fresh = partners.with_env(env(context=dict(env.context)))
    fresh.invalidate_recordset()
    bad_fields = [
        (p.id, p.credit_exposure)
        for p in fresh
        if abs(
            p.credit_exposure
            - sum((exposure.get(p.id) or {}).get(k, 0.0) for k in EXPOSURE_COMPONENTS)
        )
        > 0.005
    ]
    # The "over limit" search (its own lean query) agrees with the computed field on
    # the sample, and with the full exposure query on every customer.
    over_ids = set(
        env["res.partner"].search([("credit_over_limit", "=", True)]).commercial_partner_id.ids
    )
    bad_over = [
        (p.id, p.credit_over_limit) for p in fresh if p.credit_over_limit != (p.id in over_ids)
    ]
    env.cr.execute(
        SQL(
            """
            SELECT e.partner_id
              FROM (%s) AS e(partner_id, not_due, overdue, days, unapplied, drafts, orders)
              JOIN res_partner rp ON rp.id = e.partner_id
             WHERE COALESCE((rp.credit_limit ->> %s)::numeric, 0) > 0
               AND e.not_due + e.overdue + e.unapplied + e.drafts + e.orders
                   > COALESCE((rp.credit_limit ->> %s)::numeric, 0)
            """,
            exposure_sql(company.id, fields.Date.context_today(partners)),
            str(company.id),
            str(company.id),
        )
    )
    full_over = {row[0] for row in env.cr.fetchall()}
    bad_over += [("search vs exposure query", pid) for pid in over_ids ^ full_over]
    result = {
        "sample_partners": len(partners),
        "sample_moves": len(moves),
        "sample_lines": len(lines),
        "line_mismatches": len(bad_lines),
        "move_mismatches": len(bad_moves),
        "partner_credit_mismatches": len(bad_partners),
        "credit_exposure_field_mismatches": len(bad_fields),
        "customers_over_limit": len(over_ids),
        "over_limit_mismatches": len(bad_over),
    }
    for label, bad in (
        ("line", bad_lines),
        ("move", bad_moves),
        ("partner", bad_partners),
        ("exposure field", bad_fields),
        ("over limit", bad_over),
    ):
        if bad:
            log(f"  ORM {label} mismatches (first 5): {bad[:5]}")
    log(f"  ORM checks: {result}")
    return result


def _differs(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return not math.isclose(a or 0.0, b or 0.0, abs_tol=0.005)
    return a != b
