from freezegun import freeze_time

from odoo.tests import tagged

from .common_monitoring import CreditMonitoringCase


@tagged("post_install", "-at_install")
class TestScheduledChecks(CreditMonitoringCase):
    def test_review_due_creates_one_activity(self):
        review_type = self.env.ref("customer_credit.mail_activity_type_credit_review")
        self.customer.with_company(self.company).credit_review_date = self.d("2025-07-10")
        far = self._customer("Far Ltd")
        far.with_company(self.company).credit_review_date = self.d("2025-12-31")
        with freeze_time("2025-07-01"):
            self.monitor._cron_run_credit_checks()
            self.monitor._cron_run_credit_checks()
        activities = self._activities(self.customer).filtered(
            lambda act: act.activity_type_id == review_type
        )
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.manager)
        self.assertEqual(activities.date_deadline, self.d("2025-07-10"))
        self.assertFalse(self._activities(far))
        # A new review date is announced again.
        activities.action_feedback(feedback="Reviewed")
        self.customer.with_company(self.company).credit_review_date = self.d("2026-07-10")
        with freeze_time("2026-07-01"):
            self.monitor._cron_run_credit_checks()
        self.assertEqual(
            len(
                self._activities(self.customer).filtered(
                    lambda act: act.activity_type_id == review_type
                )
            ),
            1,
        )

    def test_review_without_manager_goes_to_all_managers(self):
        orphan = self.env["res.partner"].create({"name": "Orphan Ltd", "is_company": True})
        orphan.with_company(self.company).credit_review_date = self.d("2025-07-02")
        with freeze_time("2025-07-01"):
            self.monitor._cron_run_credit_checks()
        users = self._activities(orphan).user_id
        self.assertIn(self.manager, users)
        self.assertNotIn(self.env.ref("base.user_root"), users)

    def test_expiring_temporary_limit_creates_one_activity(self):
        expiry_type = self.env.ref("customer_credit.mail_activity_type_credit_limit_expiry")
        with freeze_time("2025-07-01"):
            request = (
                self.env["customer.credit.limit.request"]
                .with_user(self.salesman)
                .create(
                    {
                        "partner_id": self.customer.id,
                        "requested_limit": 50_000,
                        "limit_type": "temporary",
                        "valid_until": self.d("2025-07-20"),
                        "reason": "Trade fair orders",
                    }
                )
            )
            request.with_user(self.salesman).action_submit()
            request.with_user(self.manager).action_approve()
            self.assertEqual(request.state, "approved")
        with freeze_time("2025-07-15"):
            self.monitor._cron_run_credit_checks()
            self.monitor._cron_run_credit_checks()
        activities = request.activity_ids.filtered(lambda a: a.activity_type_id == expiry_type)
        self.assertEqual(len(activities), 1, "announced once")
        self.assertEqual(activities.user_id, self.manager)
        self.assertEqual(activities.date_deadline, self.d("2025-07-20"))
        self.assertIn("expires on", activities.summary or activities.note or "")
