"""Bulk customer statements (issue 13.1): send N statements through the batched queue.

Run on a scratch copy of a database with customer_credit installed (it commits):

    createdb -T cc_stmt cc_stmt_bench
    .venv/bin/python scripts/bench_statements.py -c .local/odoo.conf -d cc_stmt_bench \
        --count 1000 --batch 50
    dropdb cc_stmt_bench

Creates N customers (one posted invoice each last month, an email address), committed;
queues their statements of last month; then runs the queue the way the cron does:
``_send_statement_batch``, one commit and one progress report per batch, PDFs by
wkhtmltopdf (one run per batch, split per customer). Prints the time per batch, the
total, the messages posted and one statement rendered alone for comparison.
"""

import argparse
import os
import statistics
import sys
import time
from unittest.mock import patch


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--conf", required=True)
    parser.add_argument("-d", "--db", required=True)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument(
        "--resume",
        action="store_true",
        help="no setup: send what an interrupted run left queued (its committed batches stay sent)",
    )
    parser.add_argument(
        "--odoo-src", default=os.path.expanduser("~/.cache/customer-credit/odoo-18.0")
    )
    args = parser.parse_args()
    sys.path.insert(0, os.path.abspath(args.odoo_src))
    import odoo  # noqa: PLC0415

    odoo.tools.config.parse_config(["-c", args.conf, "-d", args.db, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.db)

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        Statement = env["customer.credit.statement"]
        date_from, date_to = env["customer.credit.statement.wizard"]._default_period()
        if args.resume:
            # the customers of the last run (earlier runs may have used the same names)
            partners = env["res.partner"].search(
                [("name", "=like", "Statement Bench %")], order="id desc", limit=args.count
            )
            Send = env["customer.credit.statement.send"]
            queued = Send.search([("partner_id", "in", partners.ids)])
            print(
                f"resume: {len(queued.filtered(lambda r: r.state == 'sent'))} already sent, "
                f"{len(queued.filtered(lambda r: r.state == 'pending'))} pending"
            )
        else:
            partners = _setup(env, args, Statement, date_from, date_to)
            Send = env["customer.credit.statement.send"]
            Send._enqueue(partners, date_from, date_to)
            cr.commit()
        _run(env, args, Send, partners)


def _setup(env, args, Statement, date_from, date_to):
    from odoo import Command  # noqa: PLC0415

    cr = env.cr
    started = time.perf_counter()
    partners = env["res.partner"].create(
        [
            {"name": f"Statement Bench {i:04d}", "email": f"bench{i}@example.com"}
            for i in range(args.count)
        ]
    )
    moves = env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": date_from,
                "date": date_from,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Goods", "quantity": 1, "price_unit": 100.0 + i, "tax_ids": []}
                    )
                ],
            }
            for i, partner in enumerate(partners)
        ]
    )
    moves.action_post()
    cr.commit()
    print(f"setup: {args.count} customers and invoices in {time.perf_counter() - started:.1f} s")

    one = time.perf_counter()
    Statement._statement_pdf(partners[0], date_from, date_to)
    print(f"one statement PDF alone: {time.perf_counter() - one:.2f} s")
    return partners


def _run(env, args, Send, partners):
    cr = env.cr
    Monitor = type(env["customer.credit.monitor"])
    original = Monitor._commit_batch
    marks = [time.perf_counter()]
    progress = []

    def commit_batch(monitor, done, remaining):
        result = original(monitor, done, remaining)
        marks.append(time.perf_counter())
        progress.append((done, remaining))
        print(f"  batch committed: {done} done, {remaining} remaining, "
              f"{marks[-1] - marks[-2]:.1f} s")  # fmt: skip
        return result

    with patch.object(Monitor, "_commit_batch", autospec=True, side_effect=commit_batch):
        done = Send._send_statement_batch(batch_size=args.batch)
    total = marks[-1] - marks[0]
    batch_times = [b - a for a, b in zip(marks, marks[1:])]
    rows = Send.search([("partner_id", "in", partners.ids)])
    sent = rows.filtered(lambda r: r.state == "sent")
    messages = env["mail.message"].search_count(
        [("model", "=", "res.partner"), ("res_id", "in", partners.ids), ("attachment_ids", "!=", False)]
    )  # fmt: skip
    print(
        f"this run: {done} statements in {total:.1f} s "
        f"({total / max(done, 1) * 1000:.0f} ms each), {len(batch_times)} commits, "
        f"median batch of {args.batch}: {statistics.median(batch_times):.1f} s; "
        f"queue of the {len(partners)} customers: {len(sent)} sent, "
        f"{len(rows) - len(sent)} not; messages with the PDF in their chatters: {messages}"
    )
    cr.commit()


if __name__ == "__main__":
    main()
