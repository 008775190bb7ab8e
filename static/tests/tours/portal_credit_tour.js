import { registry } from "@web/core/registry";

// Issue 13.4: a customer's portal user opens the credit page, sees the figures and the
// open invoices, downloads the statement of the chosen period and an agreement.
async function download(url, expectedType) {
    const response = await fetch(url);
    const type = response.headers.get("Content-Type") || "";
    if (!response.ok || !type.includes(expectedType)) {
        throw new Error(`download of ${url} failed: ${response.status} ${type}`);
    }
    const disposition = response.headers.get("Content-Disposition") || "";
    if (!disposition.includes("attachment")) {
        throw new Error(`${url} is not offered as a file: ${disposition}`);
    }
}

registry.category("web_tour.tours").add("customer_credit_portal_credit", {
    steps: () => [
        { trigger: ".o_portal_credit h3:contains('Your Credit')" },
        { trigger: ".o_credit_portal_limit:contains('5,000.00')" },
        { trigger: ".o_credit_portal_available" },
        { trigger: ".o_credit_portal_invoice a:contains('INV/')" },
        {
            content: "choose the start of the period (a date input)",
            trigger: "#credit_statement_from",
            run: () => {
                const input = document.querySelector("#credit_statement_from");
                input.value = "2024-01-01";
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        { trigger: "#credit_statement_format", run: "select xlsx" },
        {
            content: "download the statement of the period chosen in the form",
            trigger: ".o_credit_portal_download",
            run: async () => {
                const form = document.querySelector(".o_credit_portal_statement");
                const params = new URLSearchParams(new FormData(form));
                if (params.get("date_from") !== "2024-01-01" || params.get("format") !== "xlsx") {
                    throw new Error(`unexpected statement options ${params}`);
                }
                await download(`/my/credit/statement?${params}`, "spreadsheetml");
            },
        },
        {
            content: "download an agreement",
            trigger: ".o_credit_portal_agreement a",
            run: async () => {
                const link = document.querySelector(".o_credit_portal_agreement a");
                await download(link.getAttribute("href"), "");
            },
        },
    ],
});
