import { Component, onMounted, onPatched, onWillStart, onWillUnmount, useRef, useState } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { getColor } from "@web/core/colors/colors";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { formatFloat, formatInteger, formatMonetary } from "@web/views/fields/formatters";

// Credit > Overview: the figures and charts of customer.credit.dashboard.get_dashboard_data,
// each figure opening the list behind it.
export class CreditDashboard extends Component {
    static template = "customer_credit.CreditDashboard";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ data: null });
        this.canvases = {
            grades: useRef("grades"),
            utilisation: useRef("utilisation"),
            months: useRef("months"),
            top: useRef("top"),
        };
        this.charts = [];
        onWillStart(async () => {
            await loadBundle("web.chartjs_lib");
            await this.load();
        });
        onMounted(() => this.renderCharts());
        onPatched(() => this.renderCharts());
        onWillUnmount(() => this.destroyCharts());
    }

    async load() {
        this.state.data = await this.orm.call("customer.credit.dashboard", "get_dashboard_data", []);
    }

    formatFigure(figure) {
        if (figure.value === null || figure.value === undefined) {
            return "–";
        }
        if (figure.kind === "monetary") {
            return formatMonetary(figure.value, { currencyId: this.state.data.currency_id });
        }
        if (figure.kind === "days") {
            return formatFloat(figure.value, { digits: [16, 1] });
        }
        return formatInteger(figure.value);
    }

    formatTrend(trend) {
        const days = formatFloat(Math.abs(trend), { digits: [16, 1] });
        return trend > 0
            ? _t("▲ %(days)s days vs last month", { days })
            : _t("▼ %(days)s days vs last month", { days });
    }

    openFigure(figure) {
        return this.action.doAction(figure.action);
    }

    openPartner(partnerId) {
        return this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "res.partner",
            res_id: partnerId,
            views: [[false, "form"]],
        });
    }

    money(value) {
        return formatMonetary(value, { currencyId: this.state.data.currency_id });
    }

    destroyCharts() {
        for (const chart of this.charts) {
            chart.destroy();
        }
        this.charts = [];
    }

    renderCharts() {
        this.destroyCharts();
        if (!this.state.data) {
            return;
        }
        const { grades, utilisation, months, top_exposures } = this.state.data.charts;
        const money = { callback: (value) => this.money(value) };
        const tooltipMoney = {
            callbacks: { label: (item) => `${item.dataset.label}: ${this.money(item.raw)}` },
        };
        const color = (index) => getColor(index, "light", "odoo");
        this.addChart("grades", {
            type: "bar",
            data: {
                labels: grades.labels,
                datasets: [
                    { label: _t("Exposure"), data: grades.exposure, backgroundColor: color(0) },
                    { label: _t("Credit Limit"), data: grades.limit, backgroundColor: color(1) },
                ],
            },
            options: { scales: { y: { ticks: money } }, plugins: { tooltip: tooltipMoney } },
        });
        this.addChart("utilisation", {
            type: "bar",
            data: {
                labels: utilisation.labels,
                datasets: [
                    { label: _t("Customers"), data: utilisation.counts, backgroundColor: color(2) },
                ],
            },
            options: { plugins: { legend: { display: false } } },
        });
        this.addChart("months", {
            type: "bar",
            data: {
                labels: months.labels,
                datasets: [
                    {
                        label: _t("Overdue"),
                        data: months.overdue,
                        backgroundColor: color(3),
                        yAxisID: "y",
                    },
                    {
                        type: "line",
                        label: _t("DSO (days)"),
                        data: months.dso,
                        borderColor: color(4),
                        backgroundColor: color(4),
                        yAxisID: "dso",
                    },
                ],
            },
            options: {
                scales: {
                    y: { ticks: money, position: "left" },
                    dso: { position: "right", grid: { drawOnChartArea: false } },
                },
            },
        });
        this.addChart("top", {
            type: "bar",
            data: {
                labels: top_exposures.labels,
                datasets: [
                    { label: _t("Exposure"), data: top_exposures.amounts, backgroundColor: color(5) },
                ],
            },
            options: {
                indexAxis: "y",
                scales: { x: { ticks: money } },
                plugins: { legend: { display: false }, tooltip: tooltipMoney },
                onClick: (event, elements) => {
                    if (elements.length) {
                        this.openPartner(top_exposures.partner_ids[elements[0].index]);
                    }
                },
            },
        });
    }

    addChart(name, config) {
        const canvas = this.canvases[name].el;
        if (!canvas) {
            return;
        }
        config.options = { maintainAspectRatio: false, animation: false, ...config.options };
        this.charts.push(new window.Chart(canvas, config));
    }
}

registry.category("actions").add("customer_credit.dashboard", CreditDashboard);
