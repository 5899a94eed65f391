import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { json, renderApp } from "../../test/render";

const me = { id: "U1", name: "Demo User", email: "demo@example.com", language: "en", extension: "100", timezone: null };
const IDS = ["clients", "my_leads", "tasks_completed", "tasks_overdue", "tasks_in_progress", "my_calls", "new_leads"];
const DATA: Record<string, Record<string, number>> = {
  clients: { total: 1234, new_this_week: 5, new_today: 2 },
  my_leads: { mine: 7, unsorted: 3 },
  tasks_completed: { completed_this_week: 4, total_this_week: 9 },
  tasks_overdue: { count: 1 },
  tasks_in_progress: { count: 6 },
  my_calls: { incoming_today: 2, outgoing_today: 3, incoming_this_week: 10, outgoing_this_week: 12 },
  new_leads: { today: 8, this_week: 21 },
};
const dashboard = { widgets: IDS.map((id, position) => ({ id, position, visible: true, data: DATA[id] })) };

function serve(put: (body: unknown) => Promise<Response>) {
  return async (request: Request) => {
    const path = new URL(request.url).pathname;
    if (path === "/v1/me") return json(200, me);
    if (path === "/v1/dashboard") return json(200, dashboard);
    if (path === "/v1/dashboard/layout" && request.method === "PUT") return put(await request.json());
    if (path === "/v1/notifications/unread-count") return json(200, { unread: 0 });
    return json(404, { error: { code: "not_found", message: "Not found" } });
  };
}

const titles = () => screen.getAllByRole("heading", { level: 3 }).map((h) => h.textContent);
const tokens = { accessToken: "A", refreshToken: "R" };

describe("the dashboard", () => {
  it("shows each widget's figures with their labels", async () => {
    renderApp("/", serve(async () => json(500, {})), { tokens });
    const clients = await screen.findByRole("region", { name: "Clients" });
    expect(within(clients).getAllByRole("definition").map((d) => d.textContent)).toEqual(["1,234", "5", "2"]);
    expect(within(clients).getAllByRole("term").map((d) => d.textContent)).toEqual(["In total", "New this week", "New today"]);
    const calls = screen.getByRole("region", { name: "My calls today" });
    expect(within(calls).getAllByRole("definition")[0]).toHaveTextContent("5"); // in + out today
    expect(titles()).toEqual([
      "Clients", "My leads", "Tasks completed this week", "Overdue tasks", "Tasks in progress", "My calls today", "New leads today",
    ]);
  });

  it("hides a widget at once and saves every widget's place", async () => {
    const sent: unknown[] = [];
    renderApp(
      "/",
      serve(async (body) => {
        sent.push(body);
        const widgets = (body as { widgets: { id: string; visible: boolean; position: number }[] }).widgets;
        return json(200, { widgets: widgets.map((w) => ({ ...w, data: DATA[w.id] })) });
      }),
      { tokens },
    );
    await userEvent.click(await screen.findByRole("button", { name: "Hide Overdue tasks" }));
    expect(screen.queryByRole("region", { name: "Overdue tasks" })).not.toBeInTheDocument();
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toEqual({
      widgets: IDS.map((id, position) => ({ id, position, visible: id !== "tasks_overdue" })),
    });
    await userEvent.click(screen.getByRole("button", { name: "Customise (1 hidden)" }));
    await userEvent.click(screen.getByRole("button", { name: "Show Overdue tasks" }));
    expect(await screen.findByRole("region", { name: "Overdue tasks" })).toBeInTheDocument();
    expect(screen.getByText("Every widget is shown.")).toBeInTheDocument();
    expect(screen.getAllByRole("region")).toHaveLength(7);
  });

  it("puts the layout back and says so when the save fails", async () => {
    let fail: (response: Response) => void = () => {};
    renderApp("/", serve(() => new Promise((resolve) => (fail = resolve))), { tokens });
    await userEvent.click(await screen.findByRole("button", { name: "Hide Clients" }));
    // Shown at once, before the API answers…
    expect(screen.queryByRole("region", { name: "Clients" })).not.toBeInTheDocument();
    fail(json(503, { error: { code: "unavailable", message: "Try again in a moment." } }));
    // …and back when it refuses.
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Your dashboard layout could not be saved, so it was put back as it was. Try again in a moment.",
    );
    expect(screen.getByRole("region", { name: "Clients" })).toBeInTheDocument();
    expect(titles()[0]).toBe("Clients");
    await userEvent.click(screen.getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });
});
