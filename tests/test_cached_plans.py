from odoo.tests import tagged
from odoo.tools import SQL

from ..tools import cached_plans
from ..tools.credit_exposure import CACHED_QUERIES
from ..tools.credit_exposure import EXPOSURE_FEW
from ..tools.credit_exposure import EXPOSURE_ONE
from ..tools.credit_exposure import exposure_sql
from ..tools.credit_exposure import tolerance_cutoff
from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestCachedPlans(CreditCommon):
    """The exposure of one or a few customers runs in functions planned once per
    connection (tools/cached_plans.py): same figures as the query run inline, the
    function of the current code or none, never an outdated one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.sudo().credit_overdue_tolerance_days = 5
        cls.make_invoice(cls.customer, 1000.0, due_in_days=30)
        cls.make_invoice(cls.contact, 300.0, due_in_days=-3)  # overdue within tolerance
        cls.make_invoice(cls.customer, 200.0, due_in_days=-20)  # beyond it
        cls.make_invoice(cls.customer, 150.0, move_type="out_refund")
        cls.make_invoice(cls.contact, 80.0, post=False)
        cls.make_order(cls.customer, 400.0, taxes=cls.tax_10)
        cls.make_invoice(cls.other_customer, 50.0, due_in_days=-1)

    def setUp(self):
        super().setUp()
        self.addCleanup(cached_plans.forget, self.env)

    def _inline(self, any_partner_ids):
        today = self.today
        rows = self.env.execute_query(
            exposure_sql(self.company.id, today, any_partner_ids=any_partner_ids, tolerance_days=5)
        )
        return sorted(tuple(row) for row in rows)

    def _function_exists(self, query):
        name = query.function_name(self.env.cr)
        return self.env.execute_query(SQL("SELECT to_regproc(%s) IS NOT NULL", name))[0][0]

    def test_functions_exist_for_the_current_code(self):
        for query in CACHED_QUERIES:
            self.assertTrue(self._function_exists(query), query.name)
            config = self.env.execute_query(
                SQL(
                    "SELECT proconfig FROM pg_proc WHERE proname = %s",
                    query.function_name(self.env.cr),
                )
            )[0][0]
            self.assertIn("plan_cache_mode=force_generic_plan", config)

    def test_function_rows_equal_the_inline_query(self):
        cutoff = tolerance_cutoff(self.today, 5)
        args = (self.company.id,)
        for partner in (self.customer, self.contact, self.other_customer):
            rows = cached_plans.execute(self.env, EXPOSURE_ONE, *args, partner.id, self.today, cutoff)
            self.assertEqual(sorted(tuple(r) for r in rows), self._inline([partner.id]))
            self.assertEqual(rows[0][0], partner.commercial_partner_id.id)
        ids = [self.customer.id, self.contact.id, self.other_customer.id]
        rows = cached_plans.execute(self.env, EXPOSURE_FEW, *args, ids, self.today, cutoff)
        self.assertEqual(sorted(tuple(r) for r in rows), self._inline(ids))
        self.assertEqual(len(rows), 2)  # the contact counts for its company
        # the figures, by hand: 1,000 + 300 + 200 not due/overdue, -150 credit note,
        # 80 draft, 440 ordered; 200 beyond the 5-day tolerance, the 300 within it
        values = self.customer._credit_exposure_by_partner()[self.customer.id]
        self.assertEqual(values["credit_receivable_not_due"], 1000.0)
        self.assertEqual(values["credit_overdue"], 500.0)
        self.assertEqual(values["credit_overdue_beyond_tolerance"], 200.0)
        self.assertEqual(values["credit_unapplied"], -150.0)
        self.assertEqual(values["credit_draft_invoices"], 80.0)
        self.assertEqual(values["credit_orders_uninvoiced"], 440.0)
        self.assertEqual(values["credit_overdue_days_max"], 20)

    def test_one_few_and_many_customers_agree(self):
        partners = self.customer | self.contact | self.other_customer
        one = {}
        for partner in partners:
            one.update(partner._credit_exposure_by_partner())
        few = partners._credit_exposure_by_partner()
        self.assertEqual(few, one)
        # a batch above the few (planned for its size, inline)
        many = partners | self.env["res.partner"].create(
            [{"name": f"Batch Customer {i}", "is_company": True} for i in range(210)]
        )
        batch = many._credit_exposure_by_partner()
        for pid, values in few.items():
            self.assertEqual(batch[pid], values)
        self.assertEqual(
            partners._credit_exposure_by_partner(commercial=False),
            (self.customer | self.other_customer)._credit_exposure_by_partner(commercial=True),
        )

    def test_a_missing_function_runs_the_query_inline(self):
        name = EXPOSURE_ONE.function_name(self.env.cr)
        expected = self.customer._credit_exposure_by_partner()
        self.env.cr.execute(SQL("DROP FUNCTION %s(integer, integer, date, date)", SQL(name)))
        cached_plans.forget(self.env)
        with self.assertLogs("odoo.addons.customer_credit.tools.cached_plans", "WARNING") as log:
            self.assertEqual(self.customer._credit_exposure_by_partner(), expected)
        self.assertIn("-u customer_credit", log.output[0])
        # once per registry: the next call neither looks again nor warns
        with self.assertQueryCount(1):
            self.assertEqual(self.customer._credit_exposure_by_partner(), expected)

    def test_install_replaces_earlier_versions_and_uninstall_drops_all(self):
        stale = "customer_credit_plan_exposure_one_000000000000"
        self.env.cr.execute(
            SQL(
                "CREATE FUNCTION %s(integer) RETURNS integer LANGUAGE sql AS 'SELECT 1'",
                SQL(stale),
            )
        )
        cached_plans.install(self.env.cr, CACHED_QUERIES)
        self.assertIsNone(
            self.env.execute_query(SQL("SELECT to_regproc(%s)", stale))[0][0]
        )
        for query in CACHED_QUERIES:
            self.assertTrue(self._function_exists(query), query.name)
        cached_plans.uninstall(self.env.cr)
        left = self.env.execute_query(
            SQL("SELECT count(*) FROM pg_proc WHERE proname LIKE 'customer\\_credit\\_plan\\_%%'")
        )[0][0]
        self.assertEqual(left, 0)
        cached_plans.forget(self.env)
        # without its functions the module still computes the same figures
        with self.assertLogs("odoo.addons.customer_credit.tools.cached_plans", "WARNING"):
            values = self.customer._credit_exposure_by_partner()
        self.assertEqual(values[self.customer.id]["credit_receivable_not_due"], 1000.0)
