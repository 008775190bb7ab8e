from collections import namedtuple

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools import exposure_ledger
from ..tools.credit_check import REASON_GROUP_HOLD
from ..tools.credit_check import REASON_NO_LIMIT
from ..tools.credit_check import CreditInput
from ..tools.credit_check import CreditReason
from ..tools.credit_check import CreditVerdict
from ..tools.credit_check import GroupInput
from ..tools.credit_check import credit_outcome
from ..tools.credit_check import credit_reasons
from ..tools.credit_check import group_reasons
from ..tools.credit_check import group_totals
from ..tools.credit_check import worst_outcome
from ..tools.credit_exposure import EXPOSURE_INDEXES
from ..tools.credit_exposure import available_credit
from ..tools.credit_exposure import empty_exposure
from ..tools.credit_exposure import exposure_from_row
from ..tools.credit_exposure import exposure_index_sql
from ..tools.credit_exposure import exposure_sql
from ..tools.credit_exposure import ledger_orders_text
from ..tools.credit_exposure import over_limit_sql
from ..tools.credit_exposure import tolerance_cutoff
from ..tools.credit_exposure import total_exposure
from ..tools.credit_exposure import utilisation_percent
from ..tools.receivables import open_receivable_domain
from ..tools.receivables import open_receivable_sql
from ..tools.receivables import undisputed_sql
from ..tools.sql_settings import MANY_PARTNERS
from ..tools.sql_settings import whole_ledger_statement
from .customer_credit_grade import CREDIT_POLICIES

# What the exposure computation reads of a commercial partner (see _credit_terms_by_partner).
CreditTerms = namedtuple("CreditTerms", ["id", "credit_limit", "credit_hold"])

CREDIT_GROUPS = (
    "account.group_account_invoice,account.group_account_readonly,customer_credit.group_credit_user"
)

# Fields only a credit manager may change.
CREDIT_MANAGED_FIELDS = (
    "credit_limit",
    "use_partner_credit_limit",
    "credit_grade_id",
    "credit_score",
    "credit_control_policy",
    "credit_hold",
    "credit_hold_reason",
    "credit_review_date",
    "credit_manager_id",
    # set by the overdue escalation, or by a credit manager
    "credit_hold_auto",
    "credit_warning",
)
# Who and when of a hold: set by the system with the hold, never by hand.
CREDIT_SYSTEM_FIELDS = ("credit_hold_user_id", "credit_hold_date")
# Fields a credit manager may write without contact edition rights.
CREDIT_WRITE_FIELDS = frozenset(CREDIT_MANAGED_FIELDS + CREDIT_SYSTEM_FIELDS)
# Changes recorded in the decision ledger: field -> kind.
CREDIT_DECISION_FIELDS = {
    "credit_limit": "limit",
    "credit_grade_id": "grade",
    "credit_score": "score",
    "credit_control_policy": "policy",
    "credit_hold": "hold",
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Odoo's own limit, so that native reports and the native warning keep working;
    # readable by every credit user, tracked.
    credit_limit = fields.Float(groups=CREDIT_GROUPS, tracking=True)
    use_partner_credit_limit = fields.Boolean(groups=CREDIT_GROUPS)

    credit_grade_id = fields.Many2one(
        "customer.credit.grade",
        company_dependent=True,
        copy=False,
        tracking=True,
        groups=CREDIT_GROUPS,
    )
    credit_grade_color = fields.Integer(related="credit_grade_id.color", groups=CREDIT_GROUPS)
    credit_score = fields.Float(
        company_dependent=True,
        copy=False,
        tracking=True,
        groups=CREDIT_GROUPS,
        help="From 0 (worst) to 100 (best).",
    )
    # Not `credit_policy`: OCA account_financial_risk defines that name as a Char.
    credit_control_policy = fields.Selection(
        CREDIT_POLICIES,
        company_dependent=True,
        copy=False,
        tracking=True,
        groups=CREDIT_GROUPS,
        help="Empty: the company's default policy applies.",
    )
    credit_policy_effective = fields.Selection(
        CREDIT_POLICIES,
        "Applied Credit Policy",
        compute="_compute_credit_policy_effective",
        groups=CREDIT_GROUPS,
    )
    credit_hold = fields.Boolean(
        company_dependent=True,
        copy=False,
        tracking=True,
        groups=CREDIT_GROUPS,
        help="New orders of a customer on hold fail the credit check.",
    )
    credit_hold_reason = fields.Char(
        "Hold Reason", company_dependent=True, copy=False, tracking=True, groups=CREDIT_GROUPS
    )
    credit_hold_user_id = fields.Many2one(
        "res.users", "Hold Set By", company_dependent=True, copy=False, groups=CREDIT_GROUPS
    )
    credit_hold_date = fields.Datetime(
        "Hold Set On", company_dependent=True, copy=False, groups=CREDIT_GROUPS
    )
    credit_review_date = fields.Date(
        "Next Credit Review",
        company_dependent=True,
        copy=False,
        tracking=True,
        groups=CREDIT_GROUPS,
    )
    credit_manager_id = fields.Many2one(
        "res.users",
        company_dependent=True,
        copy=False,
        tracking=True,
        groups=CREDIT_GROUPS,
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("customer_credit.group_credit_manager").ids)
        ],
    )

    # Exposure, in company currency, computed in SQL per batch.
    # Labelled apart from OCA account_financial_risk's credit_currency ("Credit Currency").
    credit_currency_id = fields.Many2one(
        "res.currency",
        "Credit Exposure Currency",
        compute="_compute_credit_currency_id",
        groups=CREDIT_GROUPS,
    )
    credit_receivable_not_due = fields.Monetary(
        "Open, Not Due",
        compute="_compute_credit_exposure",
        currency_field="credit_currency_id",
        groups=CREDIT_GROUPS,
    )
    credit_overdue = fields.Monetary(
        "Overdue",
        compute="_compute_credit_exposure",
        search="_search_credit_overdue",
        currency_field="credit_currency_id",
        groups=CREDIT_GROUPS,
    )
    credit_overdue_days_max = fields.Integer(
        "Oldest Overdue (days)", compute="_compute_credit_exposure", groups=CREDIT_GROUPS
    )
    credit_overdue_beyond_tolerance = fields.Monetary(
        "Overdue Beyond Tolerance",
        compute="_compute_credit_exposure",
        search="_search_credit_overdue_beyond_tolerance",
        currency_field="credit_currency_id",
        groups=CREDIT_GROUPS,
        help="The part of the overdue amount that is overdue by more than the company's "
        "tolerance (Settings > Customer Credit): what the credit check blocks or warns on "
        "and what the 'Overdue' status and filter show.",
    )
    credit_unapplied = fields.Monetary(
        "Unapplied Payments & Credit Notes",
        compute="_compute_credit_exposure",
        currency_field="credit_currency_id",
        groups=CREDIT_GROUPS,
        help="Payments and credit notes not yet matched with an invoice (negative).",
    )
    credit_draft_invoices = fields.Monetary(
        "Draft Invoices",
        compute="_compute_credit_exposure",
        currency_field="credit_currency_id",
        groups=CREDIT_GROUPS,
    )
    credit_orders_uninvoiced = fields.Monetary(
        "Orders Not Invoiced",
        compute="_compute_credit_exposure",
        currency_field="credit_currency_id",
        groups=CREDIT_GROUPS,
        help="Confirmed sales orders, tax included, for the quantities not yet invoiced.",
    )
    credit_exposure = fields.Monetary(
        "Total Exposure",
        compute="_compute_credit_exposure",
        currency_field="credit_currency_id",
        groups=CREDIT_GROUPS,
    )
    credit_available = fields.Monetary(
        "Available Credit",
        compute="_compute_credit_exposure",
        currency_field="credit_currency_id",
        groups=CREDIT_GROUPS,
    )
    credit_utilization = fields.Float(
        "Credit Used (%)", compute="_compute_credit_exposure", groups=CREDIT_GROUPS
    )
    credit_over_limit = fields.Boolean(
        "Over Credit Limit",
        compute="_compute_credit_exposure",
        search="_search_credit_over_limit",
        groups=CREDIT_GROUPS,
    )
    credit_status = fields.Selection(
        [
            ("no_limit", "No Limit"),
            ("ok", "Within Limit"),
            ("near", "Near Limit"),
            ("over", "Over Limit"),
            ("overdue", "Overdue Beyond Tolerance"),
            ("hold", "On Hold"),
        ],
        compute="_compute_credit_exposure",
        groups=CREDIT_GROUPS,
    )

    # Credit group (集团授信) of the commercial partner in the current company.
    credit_group_id = fields.Many2one(
        "customer.credit.group",
        compute="_compute_credit_group",
        search="_search_credit_group_id",
        groups=CREDIT_GROUPS,
    )
    credit_group_limit = fields.Monetary(
        "Group Credit Limit",
        compute="_compute_credit_group",
        currency_field="credit_currency_id",
        groups=CREDIT_GROUPS,
    )
    credit_group_exposure = fields.Monetary(
        "Group Exposure",
        compute="_compute_credit_group",
        currency_field="credit_currency_id",
        groups=CREDIT_GROUPS,
    )
    credit_group_available = fields.Monetary(
        "Group Available Credit",
        compute="_compute_credit_group",
        currency_field="credit_currency_id",
        groups=CREDIT_GROUPS,
    )
    credit_group_over_limit = fields.Boolean(
        "Group Over Limit",
        compute="_compute_credit_group",
        search="_search_credit_group_over_limit",
        groups=CREDIT_GROUPS,
    )

    user_is_credit_manager = fields.Boolean(compute="_compute_user_is_credit_manager")

    def init(self):
        result = super().init()
        # Exposure and the "over limit" search read open items only: partial indexes
        # keep them fast on large ledgers (see docs/benchmarks.md).
        for index in EXPOSURE_INDEXES:
            self.env.cr.execute(exposure_index_sql(*index))
        # the exposure ledger, kept by the database (tools/exposure_ledger.py)
        exposure_ledger.install(
            self.env.cr, ledger_orders_text(restricted=True), ledger_orders_text(restricted=False)
        )
        return result

    # ------------------------------------------------------------------ computes

    @api.depends_context("uid")
    def _compute_user_is_credit_manager(self):
        self.user_is_credit_manager = self.env.user.has_group(
            "customer_credit.group_credit_manager"
        )

    @api.depends_context("company")
    def _compute_credit_currency_id(self):
        self.credit_currency_id = self.env.company.currency_id

    @api.depends_context("company")
    @api.depends("credit_control_policy", "commercial_partner_id")
    def _compute_credit_policy_effective(self):
        default = self.env.company.credit_policy_default
        for partner in self:
            partner.credit_policy_effective = (
                partner.commercial_partner_id.credit_control_policy or default
            )

    @api.depends_context("company")
    @api.depends("credit_limit", "credit_hold", "commercial_partner_id")
    def _compute_credit_exposure(self):
        # first: it also caches the company's tolerance and currency the exposure reads
        terms = self._credit_terms_by_partner()
        by_commercial = self._credit_exposure_by_partner()
        for partner in self:
            commercial = terms[partner.id]
            values = dict(by_commercial.get(commercial.id) or empty_exposure())
            exposure = total_exposure(values)
            limit = commercial.credit_limit
            values.update(
                credit_exposure=exposure,
                credit_available=available_credit(limit, exposure),
                credit_utilization=utilisation_percent(limit, exposure),
                credit_over_limit=bool(limit) and exposure > limit,
            )
            values["credit_status"] = self._credit_status(commercial, values)
            partner.update(values)

    @api.depends_context("company")
    @api.depends("commercial_partner_id")
    def _compute_credit_group(self):
        memberships = self.env["customer.credit.group.member"]._memberships_around(
            self.env.company, self.commercial_partner_id._origin.ids
        )
        Group = self.env["customer.credit.group"].sudo()
        for partner in self:
            group = Group.browse(memberships.get(partner.commercial_partner_id._origin.id))
            partner.credit_group_id = group
            partner.credit_group_limit = group.credit_limit if group else 0.0
            partner.credit_group_exposure = group.credit_exposure if group else 0.0
            partner.credit_group_available = group.credit_available if group else 0.0
            partner.credit_group_over_limit = bool(group) and group.credit_over_limit

    def _search_credit_group_over_limit(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise ValidationError(self.env._("Unsupported search on 'Group Over Limit'."))
        groups = (
            self.env["customer.credit.group"]
            .sudo()
            .with_company(self.env.company)
            .search([("credit_over_limit", "=", True), ("company_id", "=", self.env.company.id)])
        )
        partner_ids = groups.member_ids.partner_id.ids
        positive = (operator == "=") == value
        return [("commercial_partner_id", "in" if positive else "not in", partner_ids)]

    def _search_credit_group_id(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise ValidationError(self.env._("Unsupported search on 'Credit Group'."))
        members = (
            self.env["customer.credit.group.member"]
            .sudo()
            .search([("company_id", "=", self.env.company.id)])
        )
        values = value if isinstance(value, (list, tuple)) else [value]
        wanted = members
        if any(values):
            wanted = members.filtered(lambda m: m.group_id.id in values)
        positive = operator in ("=", "in")
        if not any(values):  # "= False": not in any group
            positive = not positive
        ids = wanted.partner_id.ids
        return [("commercial_partner_id", "in" if positive else "not in", ids)]

    def _credit_status(self, commercial, values):
        if commercial.credit_hold:
            return "hold"
        if values["credit_overdue_beyond_tolerance"] > 0:
            return "overdue"
        if not commercial.credit_limit:
            return "no_limit"
        if values["credit_over_limit"]:
            return "over"
        if values["credit_utilization"] >= 80.0:
            return "near"
        return "ok"

    def _credit_terms_by_partner(self):
        """{partner id: CreditTerms of its commercial partner} in the current company;
        also puts in cache the company's tolerance, currency and currency rounding (read
        by the status and the monetary fields).

        What is in cache is used as it is (a form has read it already). The rest is read
        in one light query (and one more for the commercial partners of contacts), the
        company's values cached as the ORM's fetch caches them. From an empty cache, the
        ORM would load every column of the partner and its commercial partner (and all
        their company-dependent fields), of the company and of its currency: 4 queries
        costing several times the exposure query (see docs/benchmarks.md).
        """
        result = {}
        missing = []
        for partner in self:
            commercial = partner._credit_cached_commercial()
            if commercial is None:
                missing.append(partner.id)
            else:
                result[partner.id] = CreditTerms(
                    commercial.id, commercial.credit_limit, commercial.credit_hold
                )
        company = self.env.company
        company_fields = [
            company._fields[name] for name in ("currency_id", "credit_overdue_tolerance_days")
        ]
        rounding_field = self.env["res.currency"]._fields["rounding"]
        cache = self.env.cache
        if not missing and (
            all(cache.contains(company, field) for field in company_fields)
            and cache.contains(company.currency_id, rounding_field)
        ):
            return result
        partner_columns = self._credit_terms_columns("p")
        # and the user's time zone, when "today" will need it (see _credit_today)
        tz_missing = self._credit_user_tz_missing()
        row_sets = self.env.execute_query(
            SQL(
                """
                SELECT %(currency)s, %(tolerance)s, cur.rounding, %(tz)s, %(partner_columns)s
                  FROM res_company c
                  JOIN res_currency cur ON cur.id = c.currency_id
                  LEFT JOIN res_partner p ON p.id = ANY(%(ids)s)
                 WHERE c.id = %(company_id)s
                """,
                # plain columns of the user's current company (flushed first)
                currency=SQL.identifier("c", "currency_id", to_flush=company_fields[0]),
                tolerance=SQL.identifier("c", company_fields[1].name, to_flush=company_fields[1]),
                partner_columns=partner_columns,
                tz=self._credit_user_tz_sql() if tz_missing else SQL("NULL, NULL"),
                ids=missing,
                company_id=company.id,
            )
        )
        currency_id, tolerance, rounding = row_sets[0][:3]
        if tz_missing:
            self._credit_cache_user_tz(*row_sets[0][3:5])
        for field, value in zip(company_fields, (currency_id, tolerance), strict=True):
            cache.insert_missing(company, field, [value])
        cache.insert_missing(company.currency_id, rounding_field, [rounding])
        rows = {row[5]: self._credit_terms_row(row[5:]) for row in row_sets if row[5]}
        commercial_field = self._fields["commercial_partner_id"]
        for pid, commercial_id, *_terms in rows.values():
            cache.insert_missing(self.browse(pid), commercial_field, [commercial_id])
        # contacts: the terms of their commercial partner (companies are their own)
        commercial_ids = {row[1] for row in rows.values() if row[1]} - rows.keys()
        if commercial_ids:
            found = self.env.execute_query(
                SQL(
                    "SELECT %s FROM res_partner p WHERE p.id = ANY(%s)",
                    partner_columns,
                    list(commercial_ids),
                )
            )
            rows.update((row[0], self._credit_terms_row(row)) for row in found)
        for pid in missing:
            commercial_id = rows[pid][1] if pid in rows else None
            if commercial_id in rows:
                result[pid] = CreditTerms(commercial_id, *rows[commercial_id][2:])
            else:  # deleted: the ORM's error
                commercial = self.browse(pid).commercial_partner_id
                result[pid] = CreditTerms(
                    commercial.id, commercial.credit_limit, commercial.credit_hold
                )
        return result

    def _credit_cache_commercial(self):
        """Put the commercial partner of the partners in cache, reading that column only
        (an ORM read loads every column of each partner, and checks its record rules:
        these partners are those of documents the user is confirming or posting)."""
        field = self._fields["commercial_partner_id"]
        missing = [pid for pid in self._ids if not self.env.cache.contains(self.browse(pid), field)]
        if missing:
            rows = self.env.execute_query(
                SQL(
                    "SELECT p.id, %s FROM res_partner p WHERE p.id = ANY(%s)",
                    SQL.identifier("p", field.name, to_flush=field),
                    missing,
                )
            )
            for pid, commercial_id in rows:
                self.env.cache.insert_missing(self.browse(pid), field, [commercial_id])

    def _credit_terms_columns(self, alias):
        """Id, commercial partner, credit limit and hold of partner ``alias`` in SQL, with
        the ORM's own expressions (company-dependent fallback included)."""
        Partner = self.sudo()  # the computed fields are restricted to the credit groups
        commercial = self._fields["commercial_partner_id"]
        return SQL(
            "%s, %s, %s, %s",
            SQL.identifier(alias, "id"),
            SQL.identifier(alias, commercial.name, to_flush=commercial),
            Partner._field_to_sql(alias, "credit_limit"),
            Partner._field_to_sql(alias, "credit_hold"),
        )

    @staticmethod
    def _credit_terms_row(row):
        """(id, commercial id, limit, hold) as the ORM converts them (no digits)."""
        pid, commercial_id, limit, hold = row
        return pid, commercial_id, float(limit or 0.0), bool(hold)

    def _credit_cached_commercial(self):
        """The commercial partner of a partner if its credit terms need no query (in
        cache, or a partner being edited in a form), else None."""
        if isinstance(self.id, int):
            if "commercial_partner_id" not in self._cache:
                return None
            commercial = self.commercial_partner_id
            if commercial and not (
                "credit_limit" in commercial._cache and "credit_hold" in commercial._cache
            ):
                return None
            return commercial
        # being edited in a form: the ORM's values (its commercial partner may change)
        return self.commercial_partner_id

    @api.model
    def _credit_today(self):
        """``Date.context_today`` of the current user, reading only their time zone.

        Without a ``tz`` in the context, Odoo reads ``user.tz``: the whole row of the
        user, then the whole row of its partner (with every company-dependent field),
        which costs more than a customer's exposure query. One light query instead (or
        two columns of a query made anyway, see :meth:`_credit_user_tz_sql`), its result
        put in cache as the ORM would.
        """
        if self._credit_user_tz_missing():
            rows = self.env.execute_query(SQL("SELECT %s", self._credit_user_tz_sql()))
            self._credit_cache_user_tz(*rows[0])
        return fields.Date.context_today(self)

    @api.model
    def _credit_profile_sql(self, alias, company):
        """SQL expressions of the credit profile of the partner ``alias`` in ``company``
        (its company-dependent fields, with their defaults as the ORM reads them):
        ``policy`` (the company's default when empty), ``limit``, ``hold``,
        ``hold_auto``, ``grade_id``."""
        key = str(company.id)
        partners = self.sudo().with_company(company)

        def value(name, cast, fallback):
            column = SQL.identifier(alias, name)
            return SQL("COALESCE((%s ->> %s)::%s, %s)", column, key, SQL(cast), fallback)

        def fallback(name):
            return self._fields[name].get_company_dependent_fallback(partners)

        return {
            "policy": SQL(
                "COALESCE(%s, %s, 'none')",
                value(
                    "credit_control_policy", "varchar", fallback("credit_control_policy") or None
                ),
                company.credit_policy_default or None,
            ),
            "limit": value("credit_limit", "numeric", fallback("credit_limit") or 0.0),
            "hold": value("credit_hold", "boolean", bool(fallback("credit_hold"))),
            "hold_auto": value("credit_hold_auto", "boolean", bool(fallback("credit_hold_auto"))),
            "grade_id": value("credit_grade_id", "integer", fallback("credit_grade_id").id or None),
        }

    @api.model
    def _credit_user_tz_missing(self):
        """Whether "today" needs the user's time zone from the database."""
        if self.env.context.get("tz"):
            return False
        user = self.env.user
        cache = self.env.cache
        return not (
            cache.contains(user, user._fields["partner_id"])
            and cache.contains(user.partner_id, self._fields["tz"])
        )

    @api.model
    def _credit_user_tz_sql(self):
        """Two SQL columns: the current user's partner id and its time zone."""
        return SQL(
            """(SELECT u.partner_id FROM res_users u WHERE u.id = %(uid)s),
               (SELECT %(tz)s FROM res_users u JOIN res_partner p ON p.id = u.partner_id
                 WHERE u.id = %(uid)s)""",
            uid=self.env.uid,
            tz=SQL.identifier("p", "tz", to_flush=self._fields["tz"]),
        )

    @api.model
    def _credit_cache_user_tz(self, partner_id, tz):
        if partner_id:
            user = self.env.user
            self.env.cache.insert_missing(user, user._fields["partner_id"], [partner_id])
            self.env.cache.insert_missing(self.browse(partner_id), self._fields["tz"], [tz])

    def _credit_exposure_by_partner(self, company=None, today=None, commercial=False):
        """Exposure components per commercial partner id, one query for the batch.

        ``commercial``: the partners are commercial partners (the credit check's
        customers and credit group members), whose documents and contacts' are counted.
        """
        if not self:
            return {}
        company = company or self.env.company
        today = today or self._credit_today()
        if not self.env.cache.contains(company, company._fields["credit_overdue_tolerance_days"]):
            # that column only: reading the field would load the whole company row
            company.fetch(["credit_overdue_tolerance_days"])
        tolerance = company.credit_overdue_tolerance_days
        self._credit_flush()
        if len(self._ids) > MANY_PARTNERS:
            whole_ledger_statement(self.env.cr)
        commercial_field = self._fields["commercial_partner_id"]
        if commercial:
            query = exposure_sql(company.id, today, sorted(self._ids), tolerance_days=tolerance)
        elif all(isinstance(pid, int) for pid in self._ids) and all(
            self.env.cache.contains(partner, commercial_field) for partner in self
        ):
            # stored partners whose commercial partner is known (one customer: the
            # simpler query of exposure_sql)
            commercial_ids = sorted({p.commercial_partner_id.id for p in self} - {False})
            query = exposure_sql(company.id, today, commercial_ids, tolerance_days=tolerance)
        elif all(isinstance(pid, int) for pid in self._ids):
            # Stored partners: their commercial partners are found inside the query.
            # Reading them through the ORM loads every column of each partner and costs
            # more than the exposure itself (see docs/benchmarks.md).
            query = exposure_sql(
                company.id, today, any_partner_ids=self._ids, tolerance_days=tolerance
            )
        else:  # partners being edited in a form: their commercial partner may change
            commercial_ids = self.commercial_partner_id._origin.ids
            if not commercial_ids:
                return {}
            query = exposure_sql(company.id, today, commercial_ids, tolerance_days=tolerance)
        rows = self.env.execute_query(query)
        return {row[0]: exposure_from_row(row) for row in rows}

    @api.model
    def _credit_verdicts(self, company, entries, in_call=False, included=False, memberships=None):
        """The credit check of documents of ``company``: {key: CreditVerdict}.

        The one home of the check, for confirmations, confirmed orders raised and
        invoice postings. ``entries``: [(key, commercial partner id, amount in company
        currency)]. One exposure query for the customers, one for their credit groups.

        - ``in_call``: the entries of one customer (and of one group) count against each
          other (they are confirmed together);
        - ``included``: the amounts are in the exposure already (raised confirmed
          orders, draft invoices being posted): each is checked against the exposure
          without the entries, with the others of the call;
        - ``memberships``: the customers' credit group memberships as the credit lock
          read them in this transaction (``_memberships_around``), else read here.
        """
        # the company columns the check reads, only them (a whole res.company row is costly)
        company.fetch(
            [
                "currency_id",
                "credit_policy_default",
                "credit_overdue_tolerance_days",
                "credit_group_hold_all",
            ]
        )
        currency = company.currency_id
        currency.fetch(["rounding"])
        partners = self.sudo().with_company(company)
        commercials = partners.browse({pid for _key, pid, _amount in entries})
        # one read for the profile fields of the batch
        commercials.fetch(
            [
                "credit_limit",
                "credit_control_policy",
                "credit_hold",
                "credit_hold_reason",
                "credit_grade_id",
            ]
        )
        # the customers and every member of their credit groups: one exposure query,
        # a group's exposure being the sum of its members'
        if memberships is None:
            memberships = self.env["customer.credit.group.member"]._memberships_around(
                company, commercials.ids
            )
        exposures = (commercials | partners.browse(memberships))._credit_exposure_by_partner(
            company=company, commercial=True
        )
        totals = group_totals((pid, amount) for _key, pid, amount in entries)
        Group = self.env["customer.credit.group"].sudo()
        member_groups = {
            pid: Group.browse(memberships[pid]) for pid in commercials.ids if pid in memberships
        }
        groups = Group.browse({group.id for group in member_groups.values()})
        # the columns the check reads, only them
        groups.fetch(["name", "credit_limit", "credit_control_policy"])
        group_exposures = group_totals(
            (group_id, total_exposure(exposures.get(pid) or empty_exposure()))
            for pid, group_id in memberships.items()
        )
        group_amounts = group_totals(
            (member_groups[pid].id, amount) for _key, pid, amount in entries if pid in member_groups
        )
        group_holds = groups._credit_automatic_holds() if company.credit_group_hold_all else {}
        tolerance = company.credit_overdue_tolerance_days
        verdicts = {}
        for key, pid, amount in entries:
            commercial = partners.browse(pid)
            policy = commercial.credit_control_policy or company.credit_policy_default or "none"
            values = exposures.get(pid) or empty_exposure()
            exposure = total_exposure(values)
            others = totals[pid] - amount if in_call or included else 0.0
            if included:
                exposure -= totals[pid]
            data = CreditInput(
                policy=policy,
                limit=commercial.credit_limit,
                exposure=exposure,
                order_amount=amount,
                others_amount=others,
                overdue_amount=values["credit_overdue_beyond_tolerance"],
                overdue_days=values["credit_overdue_days_max"],
                tolerance_days=tolerance,
                hold=commercial.credit_hold,
                hold_reason=commercial.credit_hold_reason,
                grade_blocks=commercial.credit_grade_id.block_sales,
                grade_name=commercial.credit_grade_id.display_name,
            )
            group = self._credit_group_input(
                member_groups.get(pid), group_exposures, group_amounts, amount, in_call, included
            )
            reasons = credit_reasons(data, currency.rounding)
            if group and group.limit > 0:
                # a member's own limit is optional: the group limit governs it
                reasons = [r for r in reasons if r.code != REASON_NO_LIMIT]
            if policy == "none" and not reasons:
                outcome = "none"
            else:
                outcome = credit_outcome(policy, reasons)
            extra = group_reasons(group, currency.rounding)
            held = group_holds.get(member_groups[pid].id, []) if pid in member_groups else []
            extra += [
                CreditReason(REASON_GROUP_HOLD, detail=f"{member.display_name}: {reason}")
                for member, reason in held
                if member.id != pid
            ]
            if extra:
                reasons = reasons + extra
                outcome = worst_outcome(outcome, credit_outcome(group.policy, extra))
            verdicts[key] = CreditVerdict(outcome, policy, reasons, data, values, currency, group)
        return verdicts

    @api.model
    def _credit_group_input(self, group, exposures, amounts, amount, in_call, included):
        """The GroupInput of a customer's credit group (None without a group).

        ``exposures``: {group id: total exposure}; ``amounts``: {group id: total of the
        entries of its members}; ``included`` as in :meth:`_credit_verdicts`.
        """
        if not group:
            return None
        exposure = exposures.get(group.id, 0.0)
        batch = amounts.get(group.id, 0.0)
        if included:
            exposure -= batch
        return GroupInput(
            name=group.display_name,
            policy=group.credit_control_policy,
            limit=group.credit_limit,
            exposure=exposure,
            order_amount=amount,
            others_amount=batch - amount if in_call or included else 0.0,
        )

    def _credit_flush(self):
        self.env["account.move.line"].flush_model(
            [
                "amount_residual",
                "reconciled",
                "parent_state",
                "partner_id",
                "date_maturity",
                "price_total",
                "balance",
            ]
        )
        self.env["account.move"].flush_model(
            ["state", "move_type", "amount_total_signed", "partner_id"]
        )
        self.env["sale.order.line"].flush_model(
            [
                "price_total",
                "product_uom_qty",
                "qty_invoiced",
                "display_type",
                "is_downpayment",
                "invoice_lines",
            ]
        )
        self.env["sale.order"].flush_model(["state", "currency_rate", "partner_id"])
        self.env["res.partner"].flush_model(["commercial_partner_id", "credit_limit"])

    # ------------------------------------------------------------------ searches

    def _search_credit_over_limit(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise ValidationError(self.env._("Unsupported search on 'Over Credit Limit'."))
        company = self.env.company
        fallback = self._fields["credit_limit"].get_company_dependent_fallback(self) or 0.0
        self._credit_flush()
        whole_ledger_statement(self.env.cr)
        rows = self.env.execute_query(over_limit_sql(company.id, fallback))
        ids = [row[0] for row in rows]
        positive = (operator == "=") == value
        return [("commercial_partner_id", "in" if positive else "not in", ids)]

    def _search_credit_overdue(self, operator, value):
        return self._credit_search_overdue_amount(operator, value, 0, self.env._("Overdue"))

    def _search_credit_overdue_beyond_tolerance(self, operator, value):
        return self._credit_search_overdue_amount(
            operator,
            value,
            self.env.company.credit_overdue_tolerance_days,
            self.env._("Overdue Beyond Tolerance"),
        )

    def _credit_search_overdue_amount(self, operator, value, tolerance_days, label):
        """Domain on the commercial partners whose amount overdue by more than
        ``tolerance_days`` compares with ``value`` (one query over the open items)."""
        if operator not in (">", ">=", "=", "!=") or not isinstance(value, (int, float)):
            raise ValidationError(self.env._("Unsupported search on '%(field)s'.", field=label))
        company = self.env.company
        cutoff = tolerance_cutoff(fields.Date.context_today(self), tolerance_days)
        self._credit_flush()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT rp.commercial_partner_id, SUM(aml.amount_residual)
                  FROM account_move_line aml
                  JOIN res_partner rp ON rp.id = aml.partner_id
                 WHERE %s
                   AND COALESCE(aml.date_maturity, aml.date) < %s
                 GROUP BY rp.commercial_partner_id
                """,
                open_receivable_sql("aml", company_id=company.id, debts_only=True),
                cutoff,
            )
        )
        amounts = {pid: float(amount) for pid, amount in rows}
        if operator in ("=", "!=") and not value:
            ids = list(amounts)
            return [("commercial_partner_id", "not in" if operator == "=" else "in", ids)]
        compare = {
            ">": lambda a: a > value,
            ">=": lambda a: a >= value,
            "=": lambda a: a == value,
            "!=": lambda a: a != value,
        }[operator]
        return [("commercial_partner_id", "in", [p for p, a in amounts.items() if compare(a)])]

    # ------------------------------------------------------------------ constraints

    @api.constrains("credit_limit")
    def _check_credit_limit(self):
        for partner in self:
            if partner.credit_limit < 0:
                raise ValidationError(
                    self.env._(
                        "The credit limit of %(partner)s cannot be negative. Enter 0 for no limit.",
                        partner=partner.display_name,
                    )
                )
        # a member's own limit is its sub-limit in its credit group: never above the group's
        self.env["customer.credit.group.member"].sudo().search(
            [("partner_id", "in", self.ids), ("company_id", "=", self.env.company.id)]
        )._check_sub_limit()

    @api.constrains("credit_score")
    def _check_credit_score(self):
        for partner in self:
            if not 0 <= partner.credit_score <= 100:
                raise ValidationError(
                    self.env._(
                        "The credit score of %(partner)s must be between 0 and 100 "
                        "(%(score)s was given).",
                        partner=partner.display_name,
                        score=partner.credit_score,
                    )
                )

    @api.constrains("credit_hold", "credit_hold_reason")
    def _check_credit_hold_reason(self):
        for partner in self:
            if partner.credit_hold and not (partner.credit_hold_reason or "").strip():
                raise ValidationError(
                    self.env._(
                        "Give a reason to put %(partner)s on credit hold: the salespeople "
                        "will see it when their orders are blocked.",
                        partner=partner.display_name,
                    )
                )

    # ------------------------------------------------------------------ write guard

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + [
            "credit_grade_id",
            "credit_score",
            "credit_control_policy",
            "credit_hold",
            "credit_hold_reason",
            "credit_hold_user_id",
            "credit_hold_date",
            "credit_review_date",
            "credit_manager_id",
            "credit_hold_auto",
            "credit_warning",
        ]

    def _check_credit_write_access(self, vals):
        """Only credit managers change credit terms (copying a company's terms to its
        contacts changes nothing and is allowed); who and when of a hold only the system."""
        if self.env.su:
            return
        system = [name for name in CREDIT_SYSTEM_FIELDS if name in vals]
        for partner in self if system else ():
            commercial = partner.commercial_partner_id
            if commercial == partner or not all(
                self._credit_value_equal(commercial, name, vals[name]) for name in system
            ):
                raise AccessError(
                    self.env._(
                        "Who set a credit hold and when are recorded by the system: put "
                        "%(partner)s on hold or lift the hold instead.",
                        partner=partner.display_name,
                    )
                )
        managed = [name for name in self._credit_managed_fields() if name in vals]
        if not managed:
            return
        if self.env.user.has_group("customer_credit.group_credit_manager"):
            return
        for partner in self:
            # writing a value unchanged (a merge, a form saving every field) changes nothing
            if all(self._credit_value_equal(partner, name, vals[name]) for name in managed):
                continue
            commercial = partner.commercial_partner_id
            if commercial != partner and all(
                self._credit_value_equal(commercial, name, vals[name]) for name in managed
            ):
                continue
            raise AccessError(
                self.env._(
                    "Only a credit manager can change the credit limit, grade, policy or "
                    "hold of %(partner)s. Ask your credit manager to do it.",
                    partner=partner.display_name,
                )
            )

    @api.model
    def _credit_managed_fields(self):
        """Fields only a credit manager (or the superuser) may change."""
        return CREDIT_MANAGED_FIELDS

    @api.model
    def _credit_manager_write_fields(self):
        """Fields a credit manager may write on customers without contact edition rights."""
        return CREDIT_WRITE_FIELDS | set(self._credit_managed_fields())

    def _credit_value_equal(self, partner, name, value):
        current = partner[name]
        if isinstance(current, models.BaseModel):
            current = current.id
        return (current or False) == (value or False)

    def _prepare_credit_hold_vals(self, vals):
        if "credit_hold" not in vals:
            return vals
        vals = dict(vals)
        if vals["credit_hold"]:
            vals.setdefault("credit_hold_user_id", self.env.uid)
            vals.setdefault("credit_hold_date", fields.Datetime.now())
        else:
            vals.update(credit_hold_user_id=False, credit_hold_date=False)
            vals.setdefault("credit_hold_reason", False)
        return vals

    def _prepare_credit_grade_vals(self, vals):
        if not vals.get("credit_grade_id") or "credit_control_policy" in vals:
            return vals
        grade = self.env["customer.credit.grade"].browse(vals["credit_grade_id"])
        if grade.default_policy:
            vals = dict(vals, credit_control_policy=grade.default_policy)
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            is_manager = self.env.user.has_group("customer_credit.group_credit_manager")
            for vals in vals_list:
                if is_manager:
                    self._check_credit_system_create(vals)
                else:
                    self._check_credit_create_access(vals)
        vals_list = [
            self._prepare_credit_grade_vals(self._prepare_credit_hold_vals(vals))
            for vals in vals_list
        ]
        return super().create(vals_list)

    def _check_credit_create_access(self, vals):
        managed = [
            name for name in self._credit_managed_fields() + CREDIT_SYSTEM_FIELDS if vals.get(name)
        ]
        if not managed:
            return
        parent = self.browse(vals.get("parent_id")).commercial_partner_id
        if parent and all(self._credit_value_equal(parent, name, vals[name]) for name in managed):
            return
        raise AccessError(
            self.env._(
                "Only a credit manager can set a credit limit, grade, policy or hold. "
                "Create the customer without them and ask your credit manager."
            )
        )

    def _check_credit_system_create(self, vals):
        system = [name for name in CREDIT_SYSTEM_FIELDS if vals.get(name)]
        parent = self.browse(vals.get("parent_id")).commercial_partner_id
        if system and not (
            parent and all(self._credit_value_equal(parent, name, vals[name]) for name in system)
        ):
            raise AccessError(
                self.env._(
                    "Who set a credit hold and when are recorded by the system: set the "
                    "hold itself with its reason."
                )
            )

    def write(self, vals):
        if "credit_hold" in vals and "credit_hold_auto" not in vals:
            # A hold set or lifted by hand is a manual decision: the run must not undo it.
            vals = dict(vals, credit_hold_auto=False)
        self._check_credit_write_access(vals)
        vals = self._prepare_credit_grade_vals(self._prepare_credit_hold_vals(vals))
        before = self._credit_decision_snapshot(vals)
        if (
            not self.env.su
            and set(vals) <= self._credit_manager_write_fields()
            and self.env.user.has_group("customer_credit.group_credit_manager")
        ):
            # Credit managers edit credit terms of any customer they can read, without
            # needing the right to edit contacts; the author stays the manager.
            self.check_access("read")
            result = super(ResPartner, self.sudo()).write(vals)
        else:
            result = super().write(vals)
        if before:
            self._credit_record_decisions(before)
        return result

    # ------------------------------------------------------------------ ledger

    def _credit_decision_snapshot(self, vals):
        """Values of the recorded credit fields before a write, per commercial partner."""
        names = [name for name in CREDIT_DECISION_FIELDS if name in vals]
        if not names:
            return {}
        partners = self.sudo().filtered(lambda p: p.commercial_partner_id == p)
        return {
            partner.id: {name: partner._credit_decision_value(name) for name in names}
            for partner in partners
        }

    def _credit_decision_value(self, name):
        value = self[name]
        if name == "credit_grade_id":
            return value.display_name or ""
        if name == "credit_control_policy":
            return dict(self._fields[name]._description_selection(self.env)).get(value, "")
        return value

    def _credit_record_decisions(self, before):
        source = None
        reference = self.env.context.get("credit_decision_source") if self.env.su else None
        if isinstance(reference, str) and "," in reference:
            # "model,id" set by the approval flows, honoured only in superuser mode
            model, res_id = reference.split(",", 1)
            if model in self.env and res_id.isdigit():
                source = self.env[model].sudo().browse(int(res_id)).exists() or None
        company = self.env.company
        Ledger = self.env["customer.credit.workflow.mixin"]
        for partner in self.sudo().browse(list(before)):
            for name, old in before[partner.id].items():
                new = partner._credit_decision_value(name)
                if old == new:
                    continue
                kind = CREDIT_DECISION_FIELDS[name]
                comment = None
                if name == "credit_hold":
                    kind = "hold" if new else "hold_lifted"
                    comment = partner.credit_hold_reason if new else None
                Ledger._credit_record_decision(
                    kind, partner, company, old=old, new=new, comment=comment, source=source
                )

    # ------------------------------------------------------------------ actions

    def action_view_credit_decisions(self):
        """Open the decision ledger rows of the customer."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_credit.customer_credit_decision_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"create": False}
        return action

    def action_view_credit_open_items(self):
        """Open the receivable items behind the exposure."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Open Receivables"),
            "res_model": "account.move.line",
            "view_mode": "list,form",
            "domain": [
                ("partner_id", "child_of", self.commercial_partner_id.id),
                *open_receivable_domain(self.env.company.id),
            ],
            "context": {"search_default_group_by_move": False, "create": False},
        }

    # ------------------------------------------------------------------ OCA credit risk import

    @api.model
    def _credit_oca_risk_installed(self):
        """Whether OCA account_financial_risk is installed (its partner fields exist)."""
        return "risk_invoice_open_include" in self._fields

    @api.model
    def _credit_import_oca_risk(self):
        """Copy the OCA credit risk settings of customers into their profiles of the current
        company: a policy where OCA controls the customer and ours is empty, a limit where
        OCA has only per-component limits. Returns the number of customers updated."""
        if not self._credit_oca_risk_installed():
            raise UserError(self.env._("OCA Partner Financial Risk is not installed."))
        company = self.env.company
        components = [
            (f"risk_{name}_include", f"risk_{name}_limit")
            for name in ("invoice_draft", "invoice_open", "invoice_unpaid")
            + ("account_amount", "account_amount_unpaid", "sale_order")
        ]
        components = [(inc, lim) for inc, lim in components if inc in self._fields]
        domain = ["|"] * (len(components) - 1) + [(inc, "=", True) for inc, _lim in components]
        partners = (
            self.sudo()
            .with_company(company)
            .search([("is_company", "=", True), ("parent_id", "=", False)] + domain)
        )
        # OCA blocks over the risk unless the company allows the confirmation anyway.
        allow = company._fields.get("allow_overrisk_sale_confirmation")
        policy = "warn" if allow and company[allow.name] else "block"
        updated = 0
        for partner in partners:
            vals = {}
            if not partner.credit_control_policy:
                vals["credit_control_policy"] = policy
            if not partner.credit_limit:
                # OCA allows each included component up to its own limit.
                limit = sum(partner[lim] for inc, lim in components if partner[inc])
                if limit:
                    vals["credit_limit"] = limit
            if vals:
                partner.with_env(self.env).with_company(company).write(vals)
                updated += 1
        return updated

    # ------------------------------------------------------------------ evaluations & approvals

    credit_evaluation_ids = fields.One2many(
        "customer.credit.evaluation", "partner_id", "Credit Evaluations", groups=CREDIT_GROUPS
    )
    credit_evaluation_count = fields.Integer(
        compute="_compute_credit_approval_counts", groups=CREDIT_GROUPS
    )
    credit_limit_request_count = fields.Integer(
        compute="_compute_credit_approval_counts", groups=CREDIT_GROUPS
    )
    credit_agreement_count = fields.Integer(
        compute="_compute_credit_approval_counts", groups=CREDIT_GROUPS
    )

    def _compute_credit_approval_counts(self):
        commercial_ids = self.commercial_partner_id.ids
        counts = {}
        for model in (
            "customer.credit.evaluation",
            "customer.credit.limit.request",
            "customer.credit.agreement",
        ):
            groups = self.env[model]._read_group(
                [("partner_id", "in", commercial_ids)], ["partner_id"], ["__count"]
            )
            counts[model] = {partner.id: count for partner, count in groups}
        for partner in self:
            commercial_id = partner.commercial_partner_id.id
            partner.credit_evaluation_count = counts["customer.credit.evaluation"].get(
                commercial_id, 0
            )
            partner.credit_limit_request_count = counts["customer.credit.limit.request"].get(
                commercial_id, 0
            )
            partner.credit_agreement_count = counts["customer.credit.agreement"].get(
                commercial_id, 0
            )

    def _credit_action_for(self, xmlid):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        commercial = self.commercial_partner_id
        action["domain"] = [("partner_id", "=", commercial.id)]
        action["context"] = {"default_partner_id": commercial.id}
        return action

    def action_view_credit_evaluations(self):
        """Evaluation history of the customer."""
        return self._credit_action_for("customer_credit.customer_credit_evaluation_action")

    def action_view_credit_limit_requests(self):
        return self._credit_action_for("customer_credit.customer_credit_limit_request_action")

    def action_view_credit_agreements(self):
        return self._credit_action_for("customer_credit.customer_credit_agreement_action")

    # ------------------------------------------------------------------ statement

    credit_statement_monthly = fields.Boolean(
        "Monthly Statement",
        groups=CREDIT_GROUPS,
        help="Email this customer its statement of the previous month at the start of each month.",
    )
    credit_portal_hidden = fields.Boolean(
        "Hide the Portal Credit Page",
        groups=CREDIT_GROUPS,
        help="This customer's portal users do not see the credit page, even when the "
        "company shows it.",
    )

    def _credit_statement_pdf(self, date_from, date_to):
        """(filename, PDF bytes) of the statement (对账单) of this commercial partner for
        the period, rendered in the partner's language. Stable interface (follow-up
        letters attach it)."""
        self.ensure_one()
        return self.env["customer.credit.statement"]._statement_pdf(
            self.commercial_partner_id, date_from, date_to
        )

    def _credit_statement_xlsx(self, date_from, date_to):
        """(filename, XLSX bytes) of the statement of this commercial partner."""
        self.ensure_one()
        return self.env["customer.credit.statement"]._statement_xlsx(
            self.commercial_partner_id, date_from, date_to
        )

    def action_credit_send_statement(self):
        """Open the statement wizard for these customers."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send Statement"),
            "res_model": "customer.credit.statement.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_ids": self.commercial_partner_id.ids},
        }

    # ------------------------------------------------------------------ monitoring

    credit_hold_auto = fields.Boolean(
        "Hold Set Automatically",
        company_dependent=True,
        copy=False,
        tracking=True,
        groups=CREDIT_GROUPS,
        help="The overdue escalation set this hold; it releases it once the overdue debt "
        "is cleared. Holds set by hand are never released automatically.",
    )
    credit_warning = fields.Boolean(
        company_dependent=True,
        copy=False,
        tracking=True,
        groups=CREDIT_GROUPS,
        help="Set by the overdue escalation; cleared automatically once no invoice is "
        "overdue beyond the warning level.",
    )
    credit_on_watchlist = fields.Boolean(
        "On Watchlist",
        compute="_compute_credit_watch",
        search="_search_credit_on_watchlist",
        groups=CREDIT_GROUPS,
    )
    credit_watch_reasons = fields.Char(
        "Watchlist Reasons", compute="_compute_credit_watch", groups=CREDIT_GROUPS
    )
    credit_collection_case_count = fields.Integer(
        "Collection Cases", compute="_compute_credit_collection_case_count", groups=CREDIT_GROUPS
    )

    @api.depends_context("company")
    def _compute_credit_watch(self):
        rows = self.env["customer.credit.watchlist"].search(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "=", self.env.company.id),
                ("on_watchlist", "=", True),
            ]
        )
        by_partner = {row.partner_id.id: row for row in rows}
        for partner in self:
            row = by_partner.get(partner.commercial_partner_id.id)
            partner.credit_on_watchlist = bool(row)
            partner.credit_watch_reasons = row.reasons if row else False

    def _search_credit_on_watchlist(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(self.env._("Unsupported search on 'On Watchlist'."))
        watched = self.env["customer.credit.watchlist"]._search(
            [("company_id", "=", self.env.company.id), ("on_watchlist", "=", True)]
        )
        positive = (operator == "=") == value
        return [
            (
                "commercial_partner_id",
                "in" if positive else "not in",
                watched.subselect("partner_id"),
            )
        ]

    @api.depends_context("company")
    def _compute_credit_collection_case_count(self):
        counts = dict(
            self.env["customer.credit.collection.case"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids), ("is_closed", "=", False)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.credit_collection_case_count = counts.get(partner.commercial_partner_id, 0)

    def action_view_credit_collection_cases(self):
        """Open the collection cases of the customer."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_credit.customer_credit_collection_case_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def _credit_overdue_invoices(self):
        """Overdue open invoices of the customer in the current company, oldest due
        first (listed in the reminder emails). The escalation run passes them for its
        whole batch in the context, so that rendering costs no query per customer."""
        self.ensure_one()
        commercial = self.commercial_partner_id
        prefetched = dict(self.env.context.get("credit_overdue_move_ids") or ())
        if commercial.id in prefetched:
            # Prefetch the invoices of the whole batch together: one read for all emails.
            batch_ids = [move_id for ids in prefetched.values() for move_id in ids]
            return (
                self.env["account.move"].browse(prefetched[commercial.id]).with_prefetch(batch_ids)
            )
        move_ids = commercial._credit_overdue_move_ids_by_partner().get(commercial.id, [])
        return self.env["account.move"].browse(move_ids)

    def _credit_followup_invoices(self):
        """The invoices a follow-up message lists: those the escalation run passes for
        the customer (a courtesy reminder: the invoices falling due), else the overdue
        ones (see :meth:`_credit_overdue_invoices`)."""
        self.ensure_one()
        listed = dict(self.env.context.get("credit_followup_move_ids") or ())
        commercial = self.commercial_partner_id
        if commercial.id in listed:
            return self.env["account.move"].browse(listed[commercial.id])
        return self._credit_overdue_invoices()

    def _credit_followup_recipient(self):
        """Whom a follow-up email goes to: the customer's invoicing contact with an
        email address, else the customer itself when it has one; empty otherwise (the
        escalation then prints a letter)."""
        self.ensure_one()
        commercial = self.commercial_partner_id
        contact = commercial.child_ids.filtered(lambda c: c.type == "invoice" and c.email)[:1]
        return contact or commercial.filtered("email")

    def _credit_letter_address(self):
        """Where a follow-up letter goes: the invoicing contact, else the customer."""
        self.ensure_one()
        commercial = self.commercial_partner_id
        contact = commercial.child_ids.filtered(lambda c: c.type == "invoice")
        return contact.filtered("email")[:1] or contact[:1] or commercial

    def _credit_follow_up_documents(self, moves, date, statement, invoices):
        """[(filename, PDF bytes)] a follow-up message carries: the customer's
        statement of the last 12 months to ``date`` and the PDFs of ``moves`` (the
        invoice's stored PDF when it has one, else the standard invoice report)."""
        self.ensure_one()
        documents = []
        if statement:
            date_from = fields.Date.subtract(date, days=365)
            documents.append(self.commercial_partner_id._credit_statement_pdf(date_from, date))
        if invoices:
            Report = self.env["ir.actions.report"].sudo()
            for move in moves.sudo():
                stored = move.invoice_pdf_report_id
                if stored:
                    documents.append((stored.name, stored.raw))
                    continue
                content, _type = Report._render_qweb_pdf("account.account_invoices", move.ids)
                documents.append((move._get_invoice_report_filename(), content))
        return documents

    def _credit_overdue_move_ids_by_partner(self, today=None):
        """{commercial partner id: [overdue move ids, oldest due first]} in one query
        (moves with open receivable lines past due in the current company, not in
        dispute: the reminders chase them)."""
        company = self.env.company
        today = today or fields.Date.context_today(self)
        commercial_ids = list(set(self.commercial_partner_id.ids))
        if not commercial_ids:
            return {}
        self.env["account.move.line"].flush_model(
            ["amount_residual", "reconciled", "parent_state", "partner_id", "date_maturity"]
        )
        self.env["account.move"].flush_model(["credit_dispute"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT rp.commercial_partner_id, aml.move_id,
                       MIN(COALESCE(aml.date_maturity, aml.date)) AS due
                  FROM res_partner rp
                  JOIN account_move_line aml ON aml.partner_id = rp.id
                 WHERE rp.commercial_partner_id = ANY(%(partners)s)
                   AND %(open_debts)s
                   AND %(undisputed)s
                   AND COALESCE(aml.date_maturity, aml.date) < %(today)s
                 GROUP BY rp.commercial_partner_id, aml.move_id
                 ORDER BY rp.commercial_partner_id, due, aml.move_id
                """,
                partners=commercial_ids,
                open_debts=open_receivable_sql("aml", company_id=company.id, debts_only=True),
                undisputed=undisputed_sql("aml"),
                today=today,
            )
        )
        result = {}
        for partner_id, move_id, _due in rows:
            result.setdefault(partner_id, []).append(move_id)
        return result
