import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { json, renderApp } from "../../test/render";

const tokens = { accessToken: "A", refreshToken: "R" };
const call = {
  id: "c1",
  pbx_call_id: "c1",
  direction: "incoming",
  status: "answer",
  disposition: "answered",
  phone: "+33698765432",
  did: null,
  extension: "100",
  user_id: "U1",
  contact: null,
  started_at: "2025-03-14T10:00:00Z",
  duration_s: 65,
  has_recording: false,
  recording: null,
  transcript: "hello about the quote",
};

function serve(permissions: Record<string, boolean>, seen: URL[], { extension = "100" as string | null, colleagues = [] as unknown[] } = {}) {
  const me = {
    id: "U1",
    name: "Demo User",
    email: "demo@example.com",
    language: "en",
    extension,
    group: { id: "G", name: "Sales", type: "custom", permissions },
  };
  return async (request: Request) => {
    const url = new URL(request.url);
    if (url.pathname === "/v1/me") return json(200, me);
    if (url.pathname === "/v1/calls") {
      seen.push(url);
      return json(200, { items: [call], next_cursor: null });
    }
    if (url.pathname === "/v1/users") return json(200, { items: [{ id: "U1", name: "Demo User" }, { id: "U2", name: "Other One" }], next_cursor: null });
    if (url.pathname === "/v1/telephony/extensions") return json(200, { items: colleagues });
    if (url.pathname === "/v1/notifications/unread-count") return json(200, { unread: 0 });
    if (url.pathname === "/v1/calls/current") return json(200, { call: null });
    return json(404, { error: { code: "not_found", message: "Not found" } });
  };
}

describe("the call log", () => {
  it("offers no user filter without the right to other users' calls, and says why", { timeout: 20_000 }, async () => {
    const seen: URL[] = [];
    renderApp("/calls", serve({ calls_other_users_access: false }, seen), { tokens });
    expect(await screen.findByText("1 min 5 s", undefined, { timeout: 8000 })).toBeInTheDocument();
    expect(screen.queryByLabelText("User")).toBeNull();
    expect(screen.getByText(/seeing other users' calls needs/)).toBeInTheDocument();
    expect(screen.getByText("hello about the quote")).toBeInTheDocument();
    // A client needs customers_create: only a lead is offered.
    await userEvent.click(screen.getByRole("button", { name: "Create a contact for +33698765432" }));
    expect(screen.getByRole("option", { name: "Lead" })).toBeInTheDocument();
    expect(screen.queryByRole("option", { name: "Client" })).toBeNull();
  });

  it("sends the filters the API offers", { timeout: 20_000 }, async () => {
    const seen: URL[] = [];
    renderApp("/calls", serve({ calls_other_users_access: true }, seen), { tokens });
    const user = await screen.findByLabelText("User", undefined, { timeout: 8000 });
    await waitFor(() => expect(screen.getByRole("option", { name: "Other One" })).toBeInTheDocument());
    await userEvent.selectOptions(user, "U2");
    await userEvent.selectOptions(screen.getByLabelText("Direction"), "outgoing");
    await userEvent.selectOptions(screen.getByLabelText("Status"), "busy");
    await userEvent.selectOptions(screen.getByLabelText("Period"), "today");
    await userEvent.type(screen.getByRole("searchbox", { name: "Search" }), "quote{Enter}");
    await waitFor(() => {
      const last = seen.at(-1)!.searchParams;
      expect(Object.fromEntries(["user_id", "direction", "status", "q"].map((k) => [k, last.get(k)]))).toEqual({
        user_id: "U2",
        direction: "outgoing",
        status: "busy",
        q: "quote",
      });
      expect(last.get("from")).toBeTruthy();
      expect(last.get("to")).toBeTruthy();
    });
  });

  it("offers a colleague's extension only to a user with an extension of their own, and says why", { timeout: 20_000 }, async () => {
    const colleagues = [{ user_id: "U2", name: "Other One", extension: "101", online: true }];
    renderApp("/calls", serve({}, [], { extension: null, colleagues }), { tokens });
    const button = await screen.findByRole("button", { name: /Other One/ }, { timeout: 8000 });
    expect(button).toBeDisabled();
    expect(button).toHaveAccessibleDescription("Calling a colleague needs your own extension (set it in your profile).");
  });

  it("calls a colleague when the user has an extension", { timeout: 20_000 }, async () => {
    const colleagues = [{ user_id: "U2", name: "Other One", extension: "101", online: true }];
    renderApp("/calls", serve({}, [], { colleagues }), { tokens });
    const button = await screen.findByRole("button", { name: /Other One/ }, { timeout: 8000 });
    expect(button).toBeEnabled();
    expect(button).not.toHaveAttribute("aria-describedby");
  });
});
