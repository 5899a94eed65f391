import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { json, renderApp } from "../../test/render";

const tokens = { accessToken: "A", refreshToken: "R" };
const call = {
  id: "c1",
  pbx_call_id: "c1",
  direction: "incoming",
  status: null,
  disposition: null,
  phone: "+33698765432",
  did: null,
  extension: "100",
  user_id: "U1",
  contact: null,
  started_at: "2025-03-14T10:00:00Z",
  duration_s: null,
  has_recording: false,
  recording: null,
  transcript: null,
  transfers: [],
};

function serve(mode: string, sent: { path: string; body: unknown }[]) {
  const me = {
    id: "U1",
    name: "Demo User",
    email: "demo@example.com",
    language: "en",
    extension: "100",
    telephony_mode: mode,
    group: { id: "G", name: "Sales", type: "admin", permissions: {} },
  };
  return async (request: Request) => {
    const url = new URL(request.url);
    const path = url.pathname;
    if (request.method === "POST") sent.push({ path, body: await request.json().catch(() => null) });
    if (path === "/v1/me") return json(200, me);
    if (path === "/v1/me/webphone")
      return json(200, { key: "k", extension: "100", expires_at: "2025-03-17T10:00:00Z", widget: "stand_in", mode, phone: "webphone" });
    if (path === "/v1/calls" && request.method === "POST")
      return json(202, { status: "requested", extension: "100", to: "+33698765432", contact_id: null, user_id: null, via: "webphone" });
    if (path === "/v1/calls") return json(200, { items: [{ ...call, status: "answer" }], next_cursor: null });
    if (path === "/v1/calls/c1/transfer")
      return json(200, { call: { ...call, transfers: [] }, to_user_id: "U2", to_extension: "101", attended: true, digits: "*101" });
    if (path === "/v1/users")
      return json(200, {
        items: [
          { id: "U1", name: "Demo User", extension: "100", status: "active" },
          { id: "U2", name: "Other One", extension: "101", status: "invited" },
          { id: "U3", name: "Gone Person", extension: "102", status: "deactivated" },
        ],
        next_cursor: null,
      });
    if (path === "/v1/telephony/extensions") return json(200, { items: [] });
    if (path === "/v1/notifications/unread-count") return json(200, { unread: 0 });
    if (path === "/v1/calls/current") return json(200, { call: mode === "softphone" ? null : call });
    return json(404, { error: { code: "not_found", message: "Not found" } });
  };
}

describe("the web phone", () => {
  it("dials what click-to-call hands it and sends a transfer's keys on the call", { timeout: 30_000 }, async () => {
    const sent: { path: string; body: unknown }[] = [];
    renderApp("/calls", serve("webphone", sent), { tokens });
    const phone = await screen.findByRole("complementary", { name: "Web phone" }, { timeout: 8000 });
    expect(await within(phone).findByText("Ready · extension 100")).toBeInTheDocument();

    // The call panel: an attended transfer to a colleague (a deactivated one is not offered).
    const panel = await screen.findByRole("complementary", { name: "Call in progress" }, { timeout: 8000 });
    const form = within(panel).getByRole("form", { name: "Transfer the call" });
    await waitFor(() => expect(within(form).getByRole("option", { name: "Other One (101)" })).toBeInTheDocument());
    expect(within(form).queryByRole("option", { name: /Gone Person/ })).toBeNull();
    await userEvent.selectOptions(within(form).getByLabelText("Colleague"), "U2");
    await userEvent.click(within(form).getByLabelText("Talk to them first (attended)"));
    await userEvent.click(within(form).getByRole("button", { name: "Transfer" }));
    expect(await within(form).findByText("Transferred to Other One (extension 101).")).toBeInTheDocument();
    expect(sent).toContainEqual({ path: "/v1/calls/c1/transfer", body: { user_id: "U2", attended: true } });
    expect(await within(phone).findByText("Sent the keys *101 on the call.")).toBeInTheDocument();

    // Click-to-call answered via=webphone: the web phone dials.
    await userEvent.click(await screen.findByRole("button", { name: "Call +33698765432" }, { timeout: 8000 }));
    expect(await screen.findByText("Your web phone dials +33698765432.")).toBeInTheDocument();
    expect(within(phone).getByRole("status")).toHaveTextContent("Calling +33698765432…");
  });

  it("is not shown in softphone mode", { timeout: 20_000 }, async () => {
    renderApp("/calls", serve("softphone", []), { tokens });
    expect(await screen.findByRole("table", { name: "Call log" }, { timeout: 8000 })).toBeInTheDocument();
    expect(screen.queryByRole("complementary", { name: "Web phone" })).toBeNull();
  });
});
