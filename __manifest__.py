{
    "name": "Customer Credit Management",
    "summary": "Credit profiles, live exposure, blocking credit control, "
    "evaluation, approvals, monitoring and receivable aging (客户授信管理)",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "customer_credit developers",
    "website": "https://github.com/customer-credit/customer_credit",
    "depends": ["sale_management", "account", "mail"],
    "external_dependencies": {"python": ["cn2an", "xlsxwriter"]},
    "data": [
        "security/customer_credit_groups.xml",
        "security/ir.model.access.csv",
        "security/customer_credit_rules.xml",
        "data/customer_credit_grade_data.xml",
        "views/customer_credit_grade_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "data/mail_activity_type_data.xml",
        "wizard/credit_release_wizard_views.xml",
        "views/sale_order_views.xml",
        "views/customer_credit_release_views.xml",
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "customer_credit/static/tests/tours/*.js",
        ],
    },
    "demo": [
        "demo/customer_credit_demo.xml",
    ],
    "installable": True,
    "application": True,
}
