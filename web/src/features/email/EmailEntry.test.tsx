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
const entry = {
  id: "F1",
  kind: "email",
  time: "2026-12-01T10:00:00Z",
  user_id: null,
  text: "Could you send the quote for the blue model?",
  data: { email_id: "E1", direction: "in", subject: "Quote", from: "Ann Smith <ann@example.com>", to: ["sales@example.com"], attachments: 1 },
};
const card = {
  id: "C1",
  name: "Ann Smith",
  status: "person",
  type: "client",
  phones: [],
  emails: [{ email: "ann@example.com", type: "work" }],
  address: null,
  website: null,
  comment: null,
  responsible_user_id: "U1",
  tags: [],
  source_tag_ids: [],
  properties: {},
  created_at: "2026-11-01T10:00:00Z",
  created_by: "U1",
  updated_at: "2026-11-01T10:00:00Z",
  version: 1,
  feed: { items: [entry], next_cursor: null },
};
const email = {
  id: "E1",
  direction: "in",
  from: "Ann Smith <ann@example.com>",
  to: ["sales@example.com"],
  cc: [],
  subject: "Quote",
  text: "Could you send the quote for the blue model?",
  html: '<p>Could you send the <b>quote</b>?</p><script>parent.stolen = 1</script>',
  time: "2026-12-01T10:00:00Z",
  contact: { type: "client", id: "C1" },
  thread_id: "E1",
  attachments: [{ name: "brief.pdf", size: 20480, url: "https://files.example/brief.pdf?sig=1" }],
};
const mailbox = {
  id: "I1", name: "Sales", email: "sales@example.com", owner_id: "U1", shared_with: "all", create_leads: "none", status: "ok",
  imap: { host: "h", port: 993, security: "ssl", username: "u" }, smtp: { host: "h", port: 465, security: "ssl", username: "u" },
  last_sync_at: null, last_error: null, messages: 1, created_at: "2026-11-01T10:00:00Z", version: 1,
};

function serve(sent: unknown[]) {
  return async (request: Request) => {
    const url = new URL(request.url);
    const path = url.pathname;
    if (path === "/v1/me") return json(200, me);
    if (path === "/v1/clients/C1") return json(200, card);
    if (path === "/v1/clients/C1/feed") return json(200, { items: [entry], next_cursor: null });
    if (path === "/v1/emails/E1") return json(200, email);
    if (path === "/v1/email/integrations") return json(200, { items: [mailbox] });
    if (path === "/v1/email/signatures") return json(200, { items: [{ id: "S1", name: "Formal", html: "<p>Regards</p>", created_at: "2026-11-01T10:00:00Z", version: 1 }] });
    if (path === "/v1/email/send" && request.method === "POST") {
      const body = (await request.json()) as Record<string, unknown>;
      sent.push(body);
      if (!String((body.to as string[])[0]).includes("@")) {
        return json(400, { error: { code: "validation_error", message: "to[0]: not an email address", field: "to[0]" } });
      }
      return json(201, { ...email, id: "E2", direction: "out" });
    }
    if (path === "/v1/users") return json(200, { items: [{ id: "U1", name: "Demo User" }], next_cursor: null });
    if (path === "/v1/notifications/unread-count") return json(200, { unread: 0 });
    if (path === "/v1/calls/current") return json(200, { call: null });
    if (path.endsWith("/deals") || path.endsWith("/tasks") || path === "/v1/deals" || path === "/v1/tasks") return json(200, { items: [], next_cursor: null });
    return json(200, { items: [], next_cursor: null });
  };
}

describe("an email in a contact's feed", () => {
  it("opens in a sandboxed frame and is answered with in_reply_to; errors show on their field", { timeout: 30_000 }, async () => {
    const sent: Record<string, unknown>[] = [];
    renderApp("/clients/C1", serve(sent), { tokens });
    expect(await screen.findByText("Quote", undefined, { timeout: 10_000 })).toBeInTheDocument();
    expect(screen.getByText("Email received")).toBeInTheDocument();
    expect(screen.getByText(/1 attachment/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Open the email “Quote”" }));

    const frame = await screen.findByTitle("The email's content");
    expect(frame.getAttribute("sandbox")).not.toContain("allow-scripts");
    expect(frame.getAttribute("sandbox")).not.toContain("allow-same-origin");
    expect(frame.getAttribute("srcdoc")).toContain("default-src 'none'");
    expect((window as { stolen?: number }).stolen).toBeUndefined();
    expect(screen.getByRole("link", { name: "Download brief.pdf" })).toHaveAttribute("href", "https://files.example/brief.pdf?sig=1");
    await userEvent.click(screen.getByRole("radio", { name: "Plain text" }));
    expect(screen.getAllByText("Could you send the quote for the blue model?").length).toBeGreaterThan(0);

    await userEvent.click(screen.getByRole("button", { name: "Reply to “Quote”" }));
    const form = await screen.findByRole("form", { name: "Reply" });
    const to = within(form).getByLabelText("To");
    expect(to).toHaveValue("ann@example.com");
    expect(within(form).getByLabelText("Subject")).toHaveValue("Re: Quote");
    await waitFor(() => expect(within(form).getByLabelText("Send from")).toHaveValue("I1"));

    // A bad address: the API names to[0], shown on "To".
    await userEvent.clear(to);
    await userEvent.type(to, "ann");
    await userEvent.type(within(form).getByLabelText("Message"), "Here it is.");
    await userEvent.click(within(form).getByRole("button", { name: "Send" }));
    expect(await within(form).findByText("not an email address")).toBeInTheDocument();
    expect(to).toHaveAttribute("aria-invalid", "true");

    await userEvent.clear(to);
    await userEvent.type(to, "ann@example.com, bob@example.com");
    await userEvent.selectOptions(within(form).getByLabelText("Signature"), "Formal");
    await userEvent.click(within(form).getByRole("button", { name: "Send" }));
    expect(await screen.findByText("Email sent to ann@example.com, bob@example.com.")).toBeInTheDocument();
    expect(sent.at(-1)).toEqual({
      integration_id: "I1",
      to: ["ann@example.com", "bob@example.com"],
      subject: "Re: Quote",
      text: "Here it is.",
      signature_id: "S1",
      contact_id: "C1",
      in_reply_to: "E1",
    });
  });
});
