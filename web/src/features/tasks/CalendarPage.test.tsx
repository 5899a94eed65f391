import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { json, renderApp } from "../../test/render";

const me = {
  id: "U1", name: "Ada Admin", email: "ada@example.com", language: "en", extension: "100",
  timezone: "Europe/Paris", week_start: "sunday",
  group: { id: "G1", type: "admin", title: "Admins", permissions: {}, version: 1 },
};
const colleague = { id: "U2", name: "Colin Colleague" };

function server(calls: URL[]) {
  return async (request: Request) => {
    const url = new URL(request.url);
    calls.push(url);
    if (url.pathname === "/v1/me") return json(200, me);
    if (url.pathname === "/v1/users") return json(200, { items: [me, colleague], next_cursor: null });
    if (url.pathname === "/v1/calendar") {
      if (url.searchParams.get("user_id") === "U2") {
        return json(403, { error: { code: "forbidden", message: "needs calendar_other_users_access" } });
      }
      return json(200, { from: url.searchParams.get("from"), to: url.searchParams.get("to"), timezone: "Europe/Paris", items: [] });
    }
    return json(404, { error: { code: "not_found", message: "no" } });
  };
}

describe("the calendar", () => {
  // The route's chunk is loaded lazily: give the first render time on a busy machine.
  it("asks for the user's week (Sunday start, Paris midnights) and says so when a colleague's calendar is refused", async () => {
    const calls: URL[] = [];
    renderApp("/calendar", server(calls), { tokens: { accessToken: "A", refreshToken: "R" } });
    expect(await screen.findByRole("heading", { name: "Calendar", level: 1 }, { timeout: 15_000 })).toBeInTheDocument();
    await waitFor(() => expect(calls.some((u) => u.pathname === "/v1/calendar")).toBe(true));
    const asked = calls.filter((u) => u.pathname === "/v1/calendar").at(-1)!;
    const from = new Date(asked.searchParams.get("from")!);
    const to = new Date(asked.searchParams.get("to")!);
    // A week from a Sunday's local midnight to the next Sunday's (168 h, or 167/169 across a DST change).
    expect(new Intl.DateTimeFormat("en", { timeZone: "Europe/Paris", weekday: "long", hour: "2-digit", hourCycle: "h23" }).format(from))
      .toMatch(/^Sunday,? 00$/);
    expect([167, 168, 169]).toContain((to.getTime() - from.getTime()) / 3_600_000);

    await userEvent.selectOptions(await screen.findByLabelText("Calendar of"), "U2");
    expect(await screen.findByRole("alert")).toHaveTextContent("You do not have the right to see other users' calendars.");
  }, 30_000);

  it("opens the new-task dialog at the slot clicked", async () => {
    renderApp("/calendar", server([]), { tokens: { accessToken: "A", refreshToken: "R" } });
    await userEvent.click(await screen.findByRole("button", { name: "Day" }, { timeout: 15_000 }));
    await userEvent.click(await screen.findByRole("button", { name: /^New task at 14:00,/ }));
    const start = await screen.findByLabelText("Start");
    expect((start as HTMLInputElement).value).toMatch(/T14:00$/);
  }, 30_000);
});
