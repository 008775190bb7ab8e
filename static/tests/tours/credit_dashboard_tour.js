import { registry } from "@web/core/registry";

// Credit > Overview: the figures and charts render; a figure opens the list behind it.
registry.category("web_tour.tours").add("customer_credit_dashboard", {
    steps: () => [
        { trigger: ".o_credit_dashboard .o_credit_figure[data-key=exposure] .o_credit_figure_value" },
        { trigger: ".o_credit_figure[data-key=dso] .o_credit_figure_label:contains('DSO')" },
        { trigger: ".o_credit_dashboard .o_credit_chart canvas" },
        { trigger: ".o_credit_figure[data-key=over_limit]", run: "click" },
        { trigger: ".o_breadcrumb:contains('Customers Over Limit')" },
        { trigger: ".o_list_view .o_data_row:contains('Dash Tour Over Ltd')" },
        { trigger: ".o_breadcrumb a:contains('Credit Overview')", run: "click" },
        { trigger: ".o_credit_dashboard .o_credit_figure[data-key=over_limit]" },
    ],
});
