import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { json, renderApp } from "../../test/render";

const tokens = { accessToken: "A", refreshToken: "R" };
const me = {
  id: "U1",
  name: "Demo User",
  email: "demo@example.com",
  language: "en",
  extension: "100",
  group: { id: "G", name: "Admins", type: "admin", permissions: {} },
};
const ringing = (contact: unknown) => ({
  id: "call-1",
  pbx_call_id: "in_1",
  direction: "incoming",
  status: null,
  disposition: null,
  phone: "+33611112222",
  did: null,
  extension: "100",
  user_id: null,
  contact,
  started_at: "2025-03-14T10:00:00Z",
  duration_s: null,
  has_recording: false,
  recording: null,
  transcript: null,
});

/** A fake API whose current call is `current()`; POSTs to /v1/calls/{id}/contact are recorded. */
function serve(current: () => unknown, created: { type: string; name: string }[]) {
  return async (request: Request) => {
    const url = new URL(request.url);
    if (url.pathname === "/v1/me") return json(200, me);
    if (url.pathname === "/v1/calls/current") return json(200, { call: current() });
    if (url.pathname === "/v1/calls/call-1/contact" && request.method === "POST") {
      const body = (await request.json()) as { type: string; name: string };
      created.push(body);
      return json(201, { type: body.type, id: "NEW", name: body.name });
    }
    if (url.pathname === "/v1/notifications/unread-count") return json(200, { unread: 0 });
    if (url.pathname.endsWith("/items") || url.pathname === "/v1/users") return json(200, { items: [], next_cursor: null });
    return json(404, { error: { code: "not_found", message: "Not found" } });
  };
}

describe("the incoming call panel", () => {
  it("shows a known caller's card with a notes box and click-to-call", { timeout: 20_000 }, async () => {
    const call = ringing({ type: "client", id: "C1", name: "Acme Dental" });
    renderApp("/tasks", serve(() => call, []), { tokens });
    const panel = await screen.findByRole("complementary", { name: "Incoming call" }, { timeout: 8000 });
    expect(within(panel).getByText("Acme Dental")).toBeInTheDocument();
    expect(within(panel).getByRole("link", { name: "Open the card" })).toHaveAttribute("href", "/clients/C1");
    expect(within(panel).getByRole("textbox", { name: "Notes during the call" })).toBeInTheDocument();
    expect(within(panel).getByRole("button", { name: "Call +33611112222 back" })).toBeEnabled();
    expect(within(panel).queryByText("Unknown number")).toBeNull();
    expect(within(panel).queryByRole("button", { name: "Create a client" })).toBeNull();
  });

  it("offers an unknown number one-click create client or lead, with the caller's name", { timeout: 20_000 }, async () => {
    let contact: unknown = null;
    const created: { type: string; name: string }[] = [];
    renderApp("/tasks", serve(() => ringing(contact), created), { tokens });
    const panel = await screen.findByRole("complementary", { name: "Incoming call" }, { timeout: 8000 });
    expect(within(panel).getByText("Unknown number")).toBeInTheDocument();
    expect(within(panel).queryByRole("textbox", { name: "Notes during the call" })).toBeNull();
    await userEvent.type(within(panel).getByLabelText("Name of the caller"), "Nina New");
    contact = { type: "lead", id: "NEW", name: "Nina New" }; // what the API answers from now on
    await userEvent.click(within(panel).getByRole("button", { name: "Create a lead" }));
    await waitFor(() => expect(created).toEqual([{ type: "lead", name: "Nina New" }]));
    expect(await within(panel).findByText("Nina New")).toBeInTheDocument();
    expect(within(panel).getByRole("link", { name: "Open the card" })).toHaveAttribute("href", "/leads/NEW");
  });
});
