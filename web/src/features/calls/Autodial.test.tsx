import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { json, renderApp } from "../../test/render";

const tokens = { accessToken: "A", refreshToken: "R" };

function summary(id: string, status: string, done: number, user_id = "U1") {
  return { id, status, total: 4, done, extension: "100", user_id, created_at: "2025-03-14T10:00:00Z", error: null };
}

function serve(admin: boolean, seen: URL[], posted: unknown[] = []) {
  const me = {
    id: "U1",
    name: "Demo User",
    email: "demo@example.com",
    language: "en",
    extension: "100",
    group: { id: "G", name: admin ? "Admins" : "Sales", type: admin ? "admin" : "custom", permissions: {} },
  };
  return async (request: Request) => {
    const url = new URL(request.url);
    if (url.pathname === "/v1/me") return json(200, me);
    if (url.pathname === "/v1/call-lists/L2") {
      return json(200, {
        ...summary("L2", "completed", 2),
        total: 2,
        items: [
          { phone: "+33611112222", contact_id: "C1", outcome: "answer", in_progress: false, reason: null },
          { phone: "+33633334444", contact_id: null, outcome: "noanswer", in_progress: false, reason: null },
        ],
      });
    }
    if (url.pathname === "/v1/calls" && request.method === "POST") {
      posted.push(await request.json());
      return json(200, { via: "pbx", to: "+33611112222", extension: "100" });
    }
    if (url.pathname === "/v1/call-lists" && request.method === "GET") {
      seen.push(url);
      return url.searchParams.get("cursor") === "next"
        ? json(200, { items: [summary("L1", "canceled", 1, "U2")], next_cursor: null })
        : json(200, { items: [summary("L2", "completed", 4)], next_cursor: "next" });
    }
    if (url.pathname === "/v1/users") return json(200, { items: [{ id: "U1", name: "Demo User" }, { id: "U2", name: "Other One" }], next_cursor: null });
    if (url.pathname === "/v1/notifications/unread-count") return json(200, { unread: 0 });
    if (url.pathname === "/v1/calls/current") return json(200, { call: null });
    return json(404, { error: { code: "not_found", message: "Not found" } });
  };
}

describe("the autodial screen's call lists", () => {
  it("lists the API's call lists a page at a time, with who started them for an administrator", { timeout: 20_000 }, async () => {
    const seen: URL[] = [];
    renderApp("/autodial", serve(true, seen), { tokens });
    const table = await screen.findByRole("table", { name: "Call lists" }, { timeout: 8000 });
    expect(table).toHaveTextContent("Completed");
    expect(table).toHaveTextContent("4 of 4 dialled");
    await userEvent.click(screen.getByRole("button", { name: "Show more" }));
    await waitFor(() => expect(table).toHaveTextContent("Other One"));
    expect(table).toHaveTextContent("1 of 4 dialled");
    expect(seen.at(-1)!.searchParams.get("cursor")).toBe("next");
    expect(screen.queryByRole("button", { name: "Show more" })).toBeNull();
    expect(screen.getAllByRole("link", { name: /Open the call list of/ })[0]).toHaveAttribute("href", "/autodial/L2");
  });

  it("shows a member their own lists, without a starter column", { timeout: 20_000 }, async () => {
    renderApp("/autodial", serve(false, []), { tokens });
    const table = await screen.findByRole("table", { name: "Your call lists" }, { timeout: 8000 });
    expect(screen.getByText("The lists you started, newest first.")).toBeInTheDocument();
    expect(screen.queryByRole("columnheader", { name: "Started by" })).toBeNull();
    expect(table).toHaveTextContent("Completed");
  });

  it("makes each number of a call list callable (click-to-call with its contact)", { timeout: 20_000 }, async () => {
    const posted: unknown[] = [];
    renderApp("/autodial/L2", serve(true, [], posted), { tokens });
    const call = await screen.findByRole("button", { name: "Call +33611112222" }, { timeout: 8000 });
    expect(screen.getByRole("button", { name: "Call +33633334444" })).toBeEnabled();
    await userEvent.click(call);
    await waitFor(() => expect(posted).toEqual([{ to: "+33611112222", contact_id: "C1" }]));
  });
});
