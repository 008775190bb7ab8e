from contextlib import contextmanager

from odoo.addons.mail.tests.common import mail_new_test_user


class CreditApprovalUsersMixin:
    """Salesperson, two credit managers and two credit directors of the current company."""

    @classmethod
    def _setup_credit_users(cls, company=None):
        company = company or cls.env.company
        context = {"no_reset_password": True}
        env = cls.env(context=dict(cls.env.context, **context))

        def user(login, groups):
            return mail_new_test_user(
                env,
                login=login,
                groups=groups,
                company_id=company.id,
                company_ids=[(6, 0, company.ids)],
                name=login.replace("_", " ").title(),
            )

        cls.salesman = user("cc_salesman", "base.group_user,sales_team.group_sale_salesman")
        cls.manager_1 = user("cc_manager_1", "base.group_user,customer_credit.group_credit_manager")
        cls.manager_2 = user("cc_manager_2", "base.group_user,customer_credit.group_credit_manager")
        cls.director_1 = user(
            "cc_director_1", "base.group_user,customer_credit.group_credit_director"
        )
        cls.director_2 = user(
            "cc_director_2", "base.group_user,customer_credit.group_credit_director"
        )

    @contextmanager
    def assertRaisesText(self, exception, pattern):
        """Like assertRaisesRegex, inside Odoo's savepoint so that nothing stays written."""
        with self.assertRaises(exception) as catcher:
            yield catcher
        self.assertRegex(str(catcher.exception), pattern)
