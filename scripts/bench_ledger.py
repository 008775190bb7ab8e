"""What the exposure ledger's triggers cost the writes (tools/exposure_ledger.py).

``bench_exposure_ledger_writes``: the same documents written with the ledger's triggers
on and off, alternating run by run in one transaction (``ALTER TABLE ... DISABLE
TRIGGER``, rolled back with the rest), on the bench ledger:

- confirming a one-line quotation (credit control off: the check is not measured here);
- posting a one-line customer invoice;
- registering the payment of an open invoice of the bench ledger (reconciliation).

Each run is rolled back (savepoint), so every run writes the same documents.
"""

import statistics
import time

try:  # imported by scripts/bench.py as a file or as a package module
    from .bench_sale import _Rollback
except ImportError:  # pragma: no cover
    from bench_sale import _Rollback

RUNS = 30


def _in_savepoint(env, fn):
    try:
        with env.cr.savepoint():
            fn()
            env.flush_all()
            raise _Rollback
    except _Rollback:
        pass
    env.invalidate_all()


def bench_exposure_ledger_writes(env, ctx):
    from odoo import Command  # noqa: PLC0415
    from odoo import fields  # noqa: PLC0415
    from odoo.addons.customer_credit.tools import exposure_ledger  # noqa: PLC0415

    env = env(su=True)
    company = env.company
    runs = ctx.get("runs") or RUNS
    partner = env["res.partner"].browse(ctx["single_ids"][0]).commercial_partner_id
    result = {"runs": runs, "partner_id": partner.id}
    try:
        with env.cr.savepoint():
            company.credit_control_enabled = False
            product = env["product.product"].create(
                {"name": "Bench Ledger Widget", "list_price": 100.0, "taxes_id": [Command.clear()]}
            )
            line = {"product_id": product.id, "price_unit": 100.0, "tax_id": [Command.clear()]}
            order = env["sale.order"].create(
                {"partner_id": partner.id, "order_line": [Command.create(line)]}
            )
            invoice = env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": fields.Date.today(),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Widget",
                                "quantity": 1,
                                "price_unit": 100.0,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
            env.cr.execute(
                """
                SELECT am.id FROM account_move am
                 WHERE am.move_type = 'out_invoice' AND am.state = 'posted'
                   AND am.payment_state = 'not_paid' AND am.company_id = %s
                 ORDER BY am.id LIMIT 1
                """,
                (company.id,),
            )
            open_invoice = env["account.move"].browse(env.cr.fetchone()[0])
            env.flush_all()

            def pay():
                env["account.payment.register"].with_context(
                    active_model="account.move", active_ids=open_invoice.ids
                ).create({"payment_date": fields.Date.today()})._create_payments()

            writes = {
                "confirm_quotation": lambda: order.action_confirm(),
                "post_invoice": lambda: invoice.action_post(),
                "register_payment": pay,
            }
            for name, fn in writes.items():
                samples = {True: [], False: []}
                for i in range(-1, runs):
                    for enabled in (True, False) if i % 2 else (False, True):
                        env.cr.execute(exposure_ledger.set_triggers_ddl(enabled))
                        started = time.perf_counter()
                        _in_savepoint(env, fn)
                        elapsed = (time.perf_counter() - started) * 1000.0
                        if i >= 0:
                            samples[enabled].append(elapsed)
                env.cr.execute(exposure_ledger.set_triggers_ddl(True))
                result[name] = {
                    "triggers_on": ctx["summarize"](samples[True]),
                    "triggers_off": ctx["summarize"](samples[False]),
                    "added_paired_median_ms": round(
                        statistics.median(
                            on - off for on, off in zip(samples[True], samples[False], strict=True)
                        ),
                        2,
                    ),
                }
                ctx["log"](
                    f"{name}: {result[name]['triggers_on']['median_ms']:.1f} ms with the "
                    f"exposure ledger, {result[name]['triggers_off']['median_ms']:.1f} ms "
                    f"without (paired difference {result[name]['added_paired_median_ms']:+.2f} ms)"
                )
            raise _Rollback
    except _Rollback:
        pass
    env.invalidate_all()
    return result


BENCHMARKS = (bench_exposure_ledger_writes,)
