"""Credit groups (集团授信) on the bench ledger, run by ``make bench`` (scripts/bench.py).

``bench_credit_groups``: 200 groups of 50 members (10,000 commercial partners of the
ledger, the ones with the most receivable lines first), each group's limit around its
members' exposure (about a third over it). Inside one transaction rolled back at the end:

- one group's exposure (``_credit_group_exposure``, the SQL) and ``credit_exposure``
  read through the ORM from an empty cache: median of ``--runs`` groups, target <= 20 ms;
- the exposure of the 200 groups in one call: target <= 500 ms;
- the "group over limit" search: target <= 1 s;
- one confirmation for a member of a group, credit control on against off (the
  baseline, same run): target <= 20 ms added.

The groups are written in SQL (set-based, a few seconds): their validation and the
decision ledger are measured by the test suite, not here.
"""

GROUPS = 200
MEMBERS = 50
TARGETS_MS = {"one_group": 20.0, "batch": 500.0, "over_limit_search": 1000.0, "confirm": 20.0}


class _Rollback(Exception):
    pass


def _make_groups(env, company):
    """Insert the groups and their members; returns the group ids."""
    cr = env.cr
    cr.execute(
        """
        SELECT rp.commercial_partner_id
          FROM account_move_line aml
          JOIN res_partner rp ON rp.id = aml.partner_id
         WHERE aml.company_id = %s
         GROUP BY 1 ORDER BY COUNT(*) DESC, 1
         LIMIT %s
        """,
        (company.id, GROUPS * MEMBERS),
    )
    partner_ids = [row[0] for row in cr.fetchall()]
    cr.execute("DELETE FROM customer_credit_group_member WHERE company_id = %s", (company.id,))
    cr.execute(
        """
        INSERT INTO customer_credit_group (name, code, company_id, credit_limit,
                                           credit_control_policy, active,
                                           create_uid, create_date, write_uid, write_date)
        SELECT 'Bench Group ' || g, 'BG' || g, %s, 0, 'block', true,
               1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
          FROM generate_series(1, %s) g
        RETURNING id
        """,
        (company.id, len(partner_ids) // MEMBERS),
    )
    group_ids = sorted(row[0] for row in cr.fetchall())
    cr.execute(
        """
        INSERT INTO customer_credit_group_member (group_id, company_id, partner_id,
                                                  create_uid, create_date, write_uid, write_date)
        SELECT (%s::int[])[1 + (n - 1) / %s], %s, p,
               1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
          FROM unnest(%s::int[]) WITH ORDINALITY AS t(p, n)
         WHERE (n - 1) / %s < %s
        """,
        (group_ids, MEMBERS, company.id, partner_ids, MEMBERS, len(group_ids)),
    )
    # statistics of the new rows, as autovacuum keeps them on a live database
    cr.execute("ANALYZE customer_credit_group")
    cr.execute("ANALYZE customer_credit_group_member")
    env.invalidate_all()
    # group limit: the members' exposure x 0.8 .. 1.3 (about a third of the groups over)
    groups = env["customer.credit.group"].browse(group_ids)
    exposures = groups._credit_group_exposure()
    for index, group_id in enumerate(group_ids):
        total = sum(
            value
            for name, value in (exposures.get(group_id) or {}).items()
            if name != "credit_overdue_beyond_tolerance"
        )
        factor = 0.8 + 0.5 * ((index * 37) % 100) / 100.0
        cr.execute(
            "UPDATE customer_credit_group SET credit_limit = %s WHERE id = %s",
            (round(max(total, 1000.0) * factor, -2), group_id),
        )
    env.invalidate_all()
    return group_ids


def bench_credit_groups(env, ctx):
    import time  # noqa: PLC0415

    from odoo import Command  # noqa: PLC0415

    env = env(su=True)
    company = env["res.company"].browse(env.company.id)
    env = env(context=dict(env.context, allowed_company_ids=company.ids))
    timeit = ctx["timeit"]
    runs = ctx.get("runs") or 30
    batch_runs = ctx.get("batch_runs") or 7
    result = {"groups": GROUPS, "members_per_group": MEMBERS, "targets_ms": TARGETS_MS}
    try:
        with env.cr.savepoint():
            group_ids = _make_groups(env, company)
            Group = env["customer.credit.group"]
            result["groups"] = len(group_ids)

            def fresh(_i):
                env.invalidate_all()

            def one(i):
                return Group.browse(group_ids[i % len(group_ids)])

            result["one_group_sql"] = timeit(
                lambda i: one(i)._credit_group_exposure(), runs, setup=fresh
            )
            result["one_group_orm_field"] = timeit(
                lambda i: one(i).credit_exposure, runs, setup=fresh
            )
            groups = Group.browse(group_ids)
            result["batch_sql"] = timeit(
                lambda i: groups._credit_group_exposure(), batch_runs, setup=fresh
            )
            over = Group.search([("credit_over_limit", "=", True)])
            result["groups_over_limit"] = len(over)
            result["over_limit_search"] = timeit(
                lambda i: Group.search([("credit_over_limit", "=", True)]),
                batch_runs,
                setup=fresh,
            )

            # one confirmation for a member of a group, credit control on / off
            member = (
                env["customer.credit.group.member"]
                .search([("group_id", "=", group_ids[0])], limit=1)
                .partner_id.with_company(company)
            )
            group = Group.browse(group_ids[0])
            company.credit_overdue_tolerance_days = 100000
            member.write(
                {
                    "credit_grade_id": False,
                    "credit_control_policy": "block",
                    "credit_limit": 0.0,
                    "credit_hold": False,
                }
            )
            env.cr.execute(
                "UPDATE customer_credit_group SET credit_limit = credit_limit + 1e8 WHERE id = %s",
                (group.id,),
            )
            env.invalidate_all()
            product = env["product.product"].create(
                {"name": "Bench Group Widget", "list_price": 100.0, "taxes_id": [Command.clear()]}
            )
            order = env["sale.order"].create(
                {
                    "partner_id": member.id,
                    "company_id": company.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "price_unit": 100.0,
                                "tax_id": [Command.clear()],
                            }
                        )
                    ],
                }
            )
            user_order = order.with_env(env(su=False))

            def confirm_once(_i=None):
                try:
                    with env.cr.savepoint():
                        user_order.action_confirm()
                        env.flush_all()
                        raise _Rollback
                except _Rollback:
                    pass
                env.invalidate_all()

            # credit control off (the baseline) and on, in turn, so that the load of the
            # shared machine weighs alike on both
            samples = {False: [], True: []}
            for i in range(-1, runs):
                for enabled in (i % 2 == 0, i % 2 != 0):
                    company.credit_control_enabled = enabled
                    env.flush_all()
                    started = time.perf_counter()
                    confirm_once()
                    if i >= 0:
                        samples[enabled].append((time.perf_counter() - started) * 1000.0)
            result["confirm_baseline"] = ctx["summarize"](samples[False])
            result["confirm_member"] = ctx["summarize"](samples[True])
            raise _Rollback
    except _Rollback:
        pass
    env.invalidate_all()
    added = result["confirm_member"]["median_ms"] - result["confirm_baseline"]["median_ms"]
    result["confirm_added_median_ms"] = round(added, 2)
    result["ok"] = (
        result["one_group_sql"]["median_ms"] <= TARGETS_MS["one_group"]
        and result["one_group_orm_field"]["median_ms"] <= TARGETS_MS["one_group"]
        and result["batch_sql"]["median_ms"] <= TARGETS_MS["batch"]
        and result["over_limit_search"]["median_ms"] <= TARGETS_MS["over_limit_search"]
        and added <= TARGETS_MS["confirm"]
    )
    return result


BENCHMARKS = [bench_credit_groups]
