import { registry } from "@web/core/registry";

// 1-3: a salesperson quotes an over-limit customer, sees the banner, is blocked and asks for a release.
registry.category("web_tour.tours").add("customer_credit_request_release", {
    steps: () => [
        { trigger: ".o_list_button_add", run: "click" },
        { trigger: ".o_field_widget[name=partner_id] input", run: "edit Tour Over Limit Ltd" },
        { trigger: ".ui-menu-item > a:contains('Tour Over Limit Ltd')", run: "click" },
        { trigger: ".o_field_x2many_list_row_add a", run: "click" },
        { trigger: ".o_field_widget[name=product_template_id] input", run: "edit Tour Widget" },
        { trigger: ".ui-menu-item > a:contains('Tour Widget')", run: "click" },
        { trigger: ".o_field_widget[name=product_uom_qty] input", run: "edit 12 && press Tab" },
        // the banner shows the excess before the quotation is saved
        {
            trigger: ".o_credit_banner li:contains('This quotation would exceed the credit limit by')",
        },
        { trigger: ".o_statusbar_buttons button[name=action_confirm]", run: "click" },
        // blocked: the reasons in plain words and a way to request a release
        { trigger: ".modal .o_credit_reasons li:contains('would exceed the credit limit')" },
        {
            trigger: ".modal .o_field_widget[name=comment] textarea",
            run: "edit Long-standing customer, payment promised for Friday",
        },
        { trigger: ".modal button[name=action_request]", run: "click" },
        { trigger: ".o_notification:contains('Credit release requested')" },
        { trigger: ".o_credit_banner:contains('waiting for a decision')" },
        { trigger: ".o_statusbar_status .o_arrow_button_current:contains('Quotation')" },
    ],
});

// 4: a credit manager approves it from the activity.
registry.category("web_tour.tours").add("customer_credit_approve_release", {
    steps: () => [
        { trigger: ".o_menu_systray i[aria-label='Activities']", run: "click" },
        { trigger: ".o-mail-ActivityGroup:contains('Credit Release')", run: "click" },
        { trigger: ".o_data_row .o_data_cell[name=order_id]", run: "click" },
        { trigger: ".o_form_view .o_field_widget[name=request_comment]:contains('payment promised')" },
        { trigger: ".o_statusbar_buttons button:contains('Approve')", run: "click" },
        {
            trigger: ".modal .o_field_widget[name=comment] textarea",
            run: "edit Approved once: good payment history",
        },
        { trigger: ".modal button[name=action_confirm_decision]", run: "click" },
        { trigger: ".o_statusbar_status .o_arrow_button_current:contains('Approved')" },
    ],
});

// 5: the salesperson confirms the order.
registry.category("web_tour.tours").add("customer_credit_confirm_released", {
    steps: () => [
        { trigger: ".o_credit_banner:contains('can be confirmed once')" },
        { trigger: ".o_statusbar_buttons button[name=action_confirm]", run: "click" },
        { trigger: ".o_statusbar_status .o_arrow_button_current:contains('Sales Order')" },
    ],
});
