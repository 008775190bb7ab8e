import logging
from datetime import timedelta

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models

_logger = logging.getLogger(__name__)


class CustomerCreditDemo(models.AbstractModel):
    """Builds the demo (loaded with demo data only): the ledger, then every credit flow
    driven through the module's own actions, each step by the demo user who would take
    it in a real company (four eyes hold: whoever requests never approves):

    - Zhang Min (salesperson) asks for limits and credit releases;
    - Li Wei (credit manager) prepares evaluations and agreements, approves the first
      step of limit requests and the releases, works the collection cases;
    - Wang Fang (credit director) approves evaluations, activates agreements and gives
      the second approval of large limits;
    - Liu Yang (accountant) registers the customers' payments.

    No state is written by hand. Dates come from the documents: the temporary limit is
    valid for a week, a promise to pay is recorded with the date the customer gave (one
    of them last week: the collector logs it late, the follow-up finds it broken). The
    expired agreement is the one item that needs time to pass: it is created and
    activated a year ago under a back-dated clock (``freezegun``, an Odoo requirement),
    then the real expiry job ends it today.
    """

    _name = "customer.credit.demo"
    _description = "Customer Credit Demo Data"

    # (customer xml id, untaxed amount, days since invoice, payment days, paid amount or None)
    _DEMO_INVOICES = [
        ("demo_customer_lumen", 42000.0, 10, 30, None),
        ("demo_customer_lumen", 18000.0, 70, 30, "all"),
        ("demo_customer_orbit", 52000.0, 20, 45, None),
        ("demo_customer_orbit", 24000.0, 5, 30, None),
        ("demo_customer_delta", 38000.0, 25, 30, None),
        ("demo_customer_silkroad", 21000.0, 75, 30, None),
        ("demo_customer_silkroad", 9000.0, 15, 30, None),
        ("demo_customer_panda", 12500.0, 95, 30, 4000.0),
        ("demo_customer_riverside", 54000.0, 40, 30, 30000.0),
        ("demo_contact_riverside", 8000.0, 3, 30, None),
        ("demo_customer_harbor", 6000.0, 120, 30, "all"),
        ("demo_customer_harbor", 4500.0, 8, 30, None),
        ("demo_customer_garden", 3000.0, 12, 30, None),
        ("demo_customer_coastal", 15000.0, 20, 60, None),
        ("demo_customer_orbit_logistics", 28000.0, 10, 30, None),
        ("demo_customer_orbit_electronics", 20000.0, 15, 45, None),
        ("demo_customer_garden", 2000.0, 50, 30, None),
        ("demo_customer_jade", 26000.0, 100, 30, None),
        ("demo_customer_lotus", 18000.0, 95, 30, None),
        ("demo_customer_summit", 32000.0, 110, 30, None),
        ("demo_customer_phoenix", 9500.0, 180, 30, None),
        ("demo_customer_pearl", 14000.0, 100, 30, None),
    ]
    # (customer xml id, untaxed amount)
    _DEMO_ORDERS = [
        ("demo_customer_delta", 19000.0),
        ("demo_customer_orbit", 3000.0),
        ("demo_customer_lumen", 25000.0),
    ]

    @api.model
    def _load_demo_language(self):
        """Chinese (zh_CN) for the customer who reads it: the terms of what its documents
        print through (base, web's report layout); the addon's own terms load at the end
        of its installation. The other modules' terms (a Chinese user interface) are one
        click away: Settings > Languages > Chinese > Update (they take longer to load than
        the whole demo)."""
        lang = self.env["res.lang"].sudo()._activate_lang("zh_CN")
        if lang:
            self.env["ir.module.module"].sudo()._load_module_terms(["base", "web"], ["zh_CN"])

    @api.model
    def _load_demo_transactions(self):
        env = self.sudo().env
        company = env.company
        if not env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", company.id)]
        ):
            return  # no chart of accounts: nothing to invoice with
        today = fields.Date.context_today(self)
        product = env.ref("customer_credit.demo_product_goods")
        # Loaded once per customer (an update of the module adds what is new only).
        partners = {
            xmlid: env.ref(f"customer_credit.{xmlid}")
            for xmlid in {x for x, *_rest in self._DEMO_INVOICES + self._DEMO_ORDERS}
        }
        loaded = set(
            env["account.move"]
            .search([("partner_id", "in", [p.id for p in partners.values()])])
            .partner_id.ids
        )
        if partners["demo_customer_lumen"].id in loaded:
            self._load_demo_invoices(partners, loaded, product, today)
            return
        # Orders first: they are confirmed against the exposure of the day.
        for xmlid, amount in self._DEMO_ORDERS:
            order = env["sale.order"].create(
                {
                    "partner_id": env.ref(f"customer_credit.{xmlid}").id,
                    "order_line": [
                        Command.create(
                            {"product_id": product.id, "product_uom_qty": 1, "price_unit": amount}
                        )
                    ],
                }
            )
            order.action_confirm()
        self._load_demo_invoices(partners, loaded, product, today)
        self._demo_foreign_invoice(product, today)
        # A draft invoice still counts in the exposure.
        self._demo_invoice(
            env.ref("customer_credit.demo_customer_delta"), product, 2500.0, today, 30, post=False
        )

    def _load_demo_invoices(self, partners, loaded, product, today):
        """The ledger's invoices, created and posted in one batch (the demo loads at every
        test-database creation: one invoice at a time costs seconds each)."""
        rows = [row for row in self._DEMO_INVOICES if partners[row[0]].id not in loaded]
        if not rows:
            return
        invoices = self._demo_invoices(
            [
                (partners[xmlid], product, amount, today - timedelta(days=age), term)
                for xmlid, amount, age, term, _paid in rows
            ]
        )
        paid_in_full = self.env["account.move"]
        for invoice, (_xmlid, _amount, _age, _term, paid) in zip(invoices, rows, strict=True):
            if paid == "all":
                paid_in_full |= invoice
            elif paid:
                self._demo_pay(invoice, paid, today - timedelta(days=2))
        if paid_in_full:
            self._demo_pay(paid_in_full, None, today - timedelta(days=2))

    def _demo_invoice(self, partner, product, amount, date, term_days, post=True, currency=None):
        return self._demo_invoices(
            [(partner, product, amount, date, term_days)], post=post, currency=currency
        )

    def _demo_invoices(self, specs, post=True, currency=None):
        """Invoices of ``specs`` = [(partner, product, amount, date, term days)], posted."""
        moves = (
            self.env["account.move"]
            .sudo()
            .create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_date": date,
                        "invoice_payment_term_id": False,
                        "currency_id": (currency or self.env.company.currency_id).id,
                        "invoice_line_ids": [
                            Command.create(
                                {"product_id": product.id, "quantity": 1, "price_unit": amount}
                            )
                        ],
                    }
                    for partner, product, amount, date, _term in specs
                ]
            )
        )
        for move, (_partner, _product, _amount, date, term_days) in zip(moves, specs, strict=True):
            move.invoice_date_due = date + timedelta(days=term_days)
        if post:
            moves.action_post()
        return moves

    def _demo_pay(self, invoice, amount, date, user=None):
        """Register the payment of ``invoice`` (all of them in full without ``amount``), as
        ``user`` (the accountant) or as the system for the ledger's history."""
        vals = {"payment_date": date}
        if amount:
            vals["amount"] = amount
        Register = self.env["account.payment.register"]
        Register = Register.with_user(user) if user else Register.sudo()
        # one payment per invoice
        Register.with_context(active_model="account.move", active_ids=invoice.ids).create(
            dict(vals, group_payment=False)
        )._create_payments()

    def _demo_foreign_invoice(self, product, today):
        eur = self.env.ref("base.EUR").sudo()
        if eur == self.env.company.currency_id:
            eur = self.env.ref("base.USD").sudo()
        eur.active = True
        if not eur.rate_ids.filtered(lambda r: r.company_id == self.env.company):
            self.env["res.currency.rate"].sudo().create(
                {
                    "currency_id": eur.id,
                    "rate": 0.92,
                    "name": today - timedelta(days=60),
                    "company_id": self.env.company.id,
                }
            )
        partner = self.env.ref("customer_credit.demo_customer_nordic")
        self._demo_invoice(partner, product, 36000.0, today - timedelta(days=30), 60, currency=eur)

    # ------------------------------------------------------------------ credit flows

    def _demo_ref(self, xmlid):
        return self.env.ref(f"customer_credit.{xmlid}")

    @api.model
    def _load_demo_flows(self):
        """Drive the credit flows on the demo ledger (once: an update adds nothing)."""
        env = self.sudo().env
        if not env["account.journal"].search_count(
            [("type", "=", "sale"), ("company_id", "=", env.company.id)], limit=1
        ):
            return
        harbor = self._demo_ref("demo_customer_harbor")
        if env["customer.credit.limit.request"].search_count(
            [("partner_id", "=", harbor.id)], limit=1
        ):
            return
        users = {
            key: self._demo_ref(f"demo_user_{key}")
            for key in ("salesman", "credit_manager", "credit_director", "accountant")
        }
        # The demo users work in the demo company.
        for user in users.values():
            if env.company not in user.company_ids:
                user.sudo().company_ids = [Command.link(env.company.id)]
        today = fields.Date.context_today(self)
        self._demo_expired_agreement(users, today)
        self._demo_evaluations(users, today)
        self._demo_limit_requests(users, today)
        self._demo_agreements(users, today)
        self._demo_releases(users)
        self._demo_escalation(users, today)
        env["customer.credit.monitor"]._cron_refresh_watchlist(send_digest=False)

    def _demo_evaluations(self, users, today):
        """Two approved evaluations (prepared by the credit manager, approved by the
        director) and one draft still missing inputs."""
        Evaluation = self.env["customer.credit.evaluation"].with_user(users["credit_manager"])
        figures = [
            # customer, FY revenue, net income, current assets/liabilities, bureau score
            ("demo_customer_lumen", 48_000_000, 3_100_000, 14_000_000, 7_000_000, 88),
            ("demo_customer_orbit", 9_500_000, 420_000, 3_600_000, 2_900_000, 71),
        ]
        approved = Evaluation.browse()
        for xmlid, revenue, income, assets, liabilities, bureau in figures:
            approved |= Evaluation.create(
                {
                    "partner_id": self._demo_ref(xmlid).id,
                    "statement_ids": [
                        Command.create(
                            {
                                "period": f"FY{today.year - 1}",
                                "date_end": today.replace(year=today.year - 1, month=12, day=31),
                                "current_assets": assets,
                                "total_assets": assets * 2.5,
                                "current_liabilities": liabilities,
                                "total_liabilities": assets * 1.2,
                                "revenue": revenue,
                                "net_income": income,
                                "operating_cash_flow": income * 1.4,
                            }
                        )
                    ],
                    "industry_risk": "2",
                    "year_founded": 2009,
                    "market_position": "established",
                    "business_model": "recurring",
                    "external_report_received": True,
                    "bureau_name": "China Credit Bureau",
                    "external_report_date": today - timedelta(days=20),
                    "bureau_score": bureau,
                }
            )
        approved.action_submit()
        approved.with_user(users["credit_director"]).action_approve()
        # A new customer: no statements, no industry class yet.
        Evaluation.create(
            {
                "partner_id": self._demo_ref("demo_customer_coastal").id,
                "year_founded": 2018,
                "business_notes": "New customer introduced by the Xiamen sales office.",
            }
        )

    def _demo_limit_requests(self, users, today):
        """One request waiting for the credit manager, one for the director (above the
        director threshold), one temporary limit approved until next week."""
        Request = self.env["customer.credit.limit.request"].with_user(users["salesman"])
        manager = users["credit_manager"]
        waiting = Request.create(
            {
                "partner_id": self._demo_ref("demo_customer_harbor").id,
                "requested_limit": 40000.0,
                "reason": "Two new harbour projects from March; the customer pays on time.",
            }
        )
        large = Request.create(
            {
                "partner_id": self._demo_ref("demo_customer_riverside").id,
                "requested_limit": 200000.0,
                "reason": "Framework contract for the new Wuhan metro line.",
            }
        )
        temporary = Request.create(
            {
                "partner_id": self._demo_ref("demo_customer_garden").id,
                "requested_limit": 25000.0,
                "limit_type": "temporary",
                "valid_until": today + timedelta(days=7),
                "reason": "Spring festival season: stock for the two new shops.",
            }
        )
        (waiting | large | temporary).action_submit()
        (large | temporary).with_user(manager).action_approve()

    def _demo_agreement_vals(self, xmlid, currency, limit, start, end, **vals):
        partner = self._demo_ref(xmlid)
        return dict(
            {
                "partner_id": partner.id,
                "currency_id": currency.id,
                "credit_limit": limit,
                "date_start": start,
                "date_end": end,
                "grace_days": 10,
                "interest_rate_annual": 4.35,
                "late_penalty_rate_daily": 0.05,
                "customer_signatory_name": "Chen Jing",
                "customer_signatory_title": "General Manager",
                "company_signatory_title": "Credit Manager",
            },
            **vals,
        )

    def _demo_agreements(self, users, today):
        """An active agreement in CNY for the Chinese-speaking customer (its PDF prints in
        Chinese) and one in USD for a customer reading English."""
        cny = self._demo_currency("base.CNY", 7.2, today)
        usd = self._demo_currency("base.USD", 1.0, today)
        Agreement = self.env["customer.credit.agreement"].with_user(users["credit_manager"])
        agreements = Agreement.create(
            [
                # 3,600,000 CNY: the customer's limit in the company's currency follows
                self._demo_agreement_vals(
                    "demo_customer_lumen",
                    cny,
                    3_600_000.0,
                    today - timedelta(days=30),
                    today + timedelta(days=335),
                    collateral_type="guarantee",
                    guarantor_id=self._demo_ref("demo_customer_orbit").id,
                    collateral_value=1_000_000.0,
                    customer_signatory_name="Zhou Hua",
                ),
                self._demo_agreement_vals(
                    "demo_customer_nordic",
                    usd,
                    60000.0,
                    today - timedelta(days=10),
                    today + timedelta(days=355),
                    customer_signatory_name="Anna Berg",
                    customer_signatory_title="Managing Director",
                ),
            ]
        )
        agreements.with_user(users["credit_director"]).action_activate()

    def _demo_expired_agreement(self, users, today):
        """Last year's agreement of Guangzhou Delta, made and activated a year ago (a
        back-dated clock), ended yesterday by the expiry job."""
        try:
            from freezegun import freeze_time  # pylint: disable=import-outside-toplevel
        except ImportError:
            _logger.info("freezegun is not installed: no expired agreement in the demo")
            return
        start = today - timedelta(days=366)
        with freeze_time(start):
            agreement = (
                self.env["customer.credit.agreement"]
                .with_user(users["credit_manager"])
                .create(
                    self._demo_agreement_vals(
                        "demo_customer_delta",
                        self.env.company.currency_id,
                        50000.0,
                        start,
                        today - timedelta(days=1),
                        customer_signatory_name="Huang Lei",
                    )
                )
            )
            agreement.with_user(users["credit_director"]).action_activate()
        self.env["customer.credit.agreement"].sudo()._cron_expire_agreements()

    def _demo_currency(self, xmlid, rate, today):
        """``xmlid`` active, with a rate when it is not the company's currency."""
        currency = self.env.ref(xmlid).sudo()
        currency.active = True
        company = self.env.company
        if currency != company.currency_id and not currency.rate_ids.filtered(
            lambda r: r.company_id == company
        ):
            company_rate = company.currency_id.with_company(company).rate or 1.0
            self.env["res.currency.rate"].sudo().create(
                {
                    "currency_id": currency.id,
                    "rate": rate * company_rate,
                    "name": today - timedelta(days=60),
                    "company_id": company.id,
                }
            )
        return currency

    def _demo_releases(self, users):
        """Two quotations of Guangzhou Delta (over its limit, blocking policy) stopped by
        the credit check: the salesperson asks for a release on each; the credit manager
        approves one, the other waits."""
        salesman = users["salesman"]
        product = self._demo_ref("demo_product_goods")
        partner = self._demo_ref("demo_customer_delta")
        comments = [
            "Delta pays its March invoice on Friday; the goods are for a hotel chain.",
            "Urgent replacement parts for Delta's cold storage; order already promised.",
        ]
        releases = self.env["customer.credit.release"]
        for amount, comment in zip((15000.0, 6000.0), comments, strict=True):
            order = (
                self.env["sale.order"]
                .with_user(salesman)
                .create(
                    {
                        "partner_id": partner.id,
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": product.id,
                                    "product_uom_qty": 1,
                                    "price_unit": amount,
                                }
                            )
                        ],
                    }
                )
            )
            action = order.with_context(credit_interactive=True).action_confirm()
            wizard = (
                self.env["customer.credit.release.request"]
                .with_user(salesman)
                .with_context(**action["context"])
                .create({"comment": comment})
            )
            wizard.action_request()
            releases |= order.sudo().credit_release_ids
        releases[1:].with_user(users["credit_manager"]).action_approve(
            "Known customer; the payment is confirmed by the bank."
        )

    def _demo_escalation(self, users, today):
        """The overdue escalation on the demo ledger (reminders, warnings, automatic holds,
        collection cases), then the collection work: each case in its own stage."""
        monitor = self.env["customer.credit.monitor"].sudo()
        monitor._cron_escalate_overdue()
        manager = users["credit_manager"]
        Case = self.env["customer.credit.collection.case"].with_user(manager)

        def case_of(xmlid):
            return Case.search([("partner_id", "=", self._demo_ref(xmlid).id)], limit=1)

        def stage(xmlid):
            return self._demo_ref(xmlid).id

        case_of("demo_customer_jade").write(
            {"stage_id": stage("collection_stage_negotiation"), "priority": "1"}
        )
        case_of("demo_customer_phoenix").write({"stage_id": stage("collection_stage_writeoff")})
        kept = case_of("demo_customer_lotus")
        kept.write({"promise_date": today + timedelta(days=5), "promise_amount": 10000.0})
        # The customer called last week; the collector records the promise today.
        broken = case_of("demo_customer_summit")
        broken.write({"promise_date": today - timedelta(days=3), "promise_amount": 15000.0})
        accountant = users["accountant"]
        for xmlid, amount in (("demo_customer_lotus", 10000.0), ("demo_customer_pearl", None)):
            invoice = case_of(xmlid).invoice_ids[:1]
            self._demo_pay(invoice, amount, today, user=accountant)
        # The next run follows the cases up: promises kept or broken, paid cases closed.
        monitor._cron_escalate_overdue()
        broken.write({"stage_id": stage("collection_stage_legal")})
