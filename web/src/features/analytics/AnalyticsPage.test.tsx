import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { json, renderApp } from "../../test/render";

// The charts are drawn by ECharts in the browser; here their data tables are what counts.
vi.mock("./Chart", () => ({ Chart: ({ label }: { label: string }) => <div role="img" aria-label={label} /> }));

const rights = (all: boolean) => ({
  customers_view_all: all, calls_other_users_access: all, calendar_other_users_access: all, leads_view: all,
});
const profile = (type: string, all: boolean) => ({
  id: "U1", name: "Ada Admin", email: "ada@example.com", language: "en", timezone: "UTC", week_start: "monday",
  group: { id: "G1", name: type, type, permissions: rights(all) },
});
const colleague = { id: "U2", name: "Colin Colleague" };
const money = (amount: string) => ({ amount, currency: "EUR" });

function server(me: unknown, calls: URL[]) {
  return async (request: Request) => {
    const url = new URL(request.url);
    calls.push(url);
    if (url.pathname === "/v1/me") return json(200, me);
    if (url.pathname === "/v1/settings/company") return json(200, { name: "Acme", timezone: "UTC", base_currency: "EUR" });
    if (url.pathname === "/v1/users") return json(200, { items: [me, colleague], next_cursor: null });
    if (url.pathname === "/v1/analytics/deals") {
      const one = url.searchParams.get("user_id") === "U2";
      return json(200, {
        from: url.searchParams.get("from"), to: url.searchParams.get("to"), interval: url.searchParams.get("interval"),
        totals: { created: one ? 2 : 12, won: 3, canceled: 1, won_value: money("1234.50"), conversion: 0.75, avg_duration_days: 2.25 },
        funnel: [{ status: "new", count: 12 }, { status: "success", count: 3 }],
        series: [{ date: "2024-05-13", created: one ? 2 : 12, won: 3, won_value: money("1234.50") }],
      });
    }
    return json(404, { error: { code: "not_found", message: "no" } });
  };
}

const tokens = { accessToken: "A", refreshToken: "R" };
const asked = (calls: URL[]) => calls.filter((u) => u.pathname === "/v1/analytics/deals").at(-1)!;

describe("the deals analytics page", () => {
  it("shows the report's figures; an administrator filters by user and changes the period", async () => {
    const calls: URL[] = [];
    const { router } = renderApp("/analytics", server(profile("admin", true), calls), { tokens });
    expect(await screen.findByRole("heading", { name: "Deals", level: 2 }, { timeout: 15_000 })).toBeInTheDocument();
    const totals = await screen.findByRole("list", { name: "Totals" });
    expect(within(totals).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "Created 12", "Won 3", "Canceled 1", "Conversion 75%", "Average days to win 2.3", "Won value €1,234.50",
    ]);
    const funnel = screen.getByRole("table", { name: "Funnel" });
    expect(within(funnel).getAllByRole("row").map((r) => r.textContent)).toEqual(["StatusDeals", "New12", "Won3"]);
    expect(asked(calls).searchParams.get("user_id")).toBeNull();
    expect(asked(calls).searchParams.get("interval")).toBe("day");

    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText("User"), "Colin Colleague");
    await waitFor(() => expect(asked(calls).searchParams.get("user_id")).toBe("U2"));
    await waitFor(() => expect(within(screen.getByRole("list", { name: "Totals" })).getAllByRole("listitem")[0]).toHaveTextContent("Created 2"));

    await user.selectOptions(screen.getByLabelText("Period"), "This year");
    await waitFor(() => expect(asked(calls).searchParams.get("interval")).not.toBe("day"));
    expect(asked(calls).searchParams.get("from")).toMatch(/^\d{4}-01-01$/);
    expect(router.state.location.search).toContain("period=this_year");

    await user.selectOptions(screen.getByLabelText("Period"), "Custom dates");
    fireEvent.change(screen.getByLabelText("From"), { target: { value: "2999-01-01" } });
    expect(await screen.findByRole("alert")).toHaveTextContent("The start date is after the end date.");
  }, 30_000);

  it("offers no user filter without the view-all right, and says why", async () => {
    const calls: URL[] = [];
    renderApp("/analytics/deals?user=U2", server(profile("user", false), calls), { tokens });
    expect(await screen.findByText(/Your own figures\. Other users' figures need the right “View all customers”\./, {}, { timeout: 15_000 }))
      .toBeInTheDocument();
    expect(screen.queryByLabelText("User")).toBeNull();
    await waitFor(() => expect(calls.some((u) => u.pathname === "/v1/analytics/deals")).toBe(true));
    expect(asked(calls).searchParams.get("user_id")).toBeNull();
  }, 30_000);
});
