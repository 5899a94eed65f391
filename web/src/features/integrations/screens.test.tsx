import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { json, renderApp } from "../../test/render";

const group = { id: "G1", type: "manager", title: "Managers", permissions: {}, version: 1 };
const me = {
  id: "U1", name: "Demo User", email: "demo@example.com", language: "en", extension: "100", timezone: "Europe/Paris",
  week_start: "monday", telephony_mode: "webphone", phones: [], avatar_url: null, version: 7, group,
};
const tokens = { accessToken: "A", refreshToken: "R" };

type Handler = (request: Request, path: string) => Promise<Response | undefined> | Response | undefined;

function serve(handler: Handler) {
  return async (request: Request) => {
    const path = new URL(request.url).pathname;
    if (path === "/v1/me") return json(200, me);
    if (path === "/v1/notifications/unread-count") return json(200, { unread: 0 });
    return (await handler(request, path)) ?? json(404, { error: { code: "not_found", message: "Not found" } });
  };
}

const calendar = {
  connected: true, google_email: "me@gmail.example", calendar_id: "primary", push_crm_to_google: true,
  pull_google_to_crm: false, status: "ok", last_sync_at: null, last_error: null,
};

describe("the Google Calendar settings", { timeout: 30_000 }, () => {
  it("asks to reconnect a revoked grant", async () => {
    const asked: string[] = [];
    renderApp(
      "/settings/calendar",
      serve((request, path) => {
        if (path === "/v1/settings/calendar") return json(200, { ...calendar, status: "needs_reauth" });
        if (path === "/v1/google/connect") {
          asked.push(request.method);
          return json(500, { error: { code: "internal", message: "stop here" } }); // no navigation in jsdom
        }
        return undefined;
      }),
      { tokens },
    );
    const alert = await screen.findByText(/no longer accepts the CRM's access/, {}, { timeout: 15_000 });
    expect(screen.getByText("Needs reconnecting")).toBeInTheDocument();
    await userEvent.click(within(alert.closest("[role=alert]") as HTMLElement).getByRole("button", { name: "Reconnect Google Calendar" }));
    await waitFor(() => expect(asked).toEqual(["GET"]));
  });

  it("shows the last error, and the callback's result", async () => {
    const { router } = renderApp(
      "/settings/calendar?google=error",
      serve((_request, path) =>
        path === "/v1/settings/calendar" ? json(200, { ...calendar, status: "error", last_error: "calendar not found" }) : undefined,
      ),
      { tokens },
    );
    expect(await screen.findByText("The last sync failed: calendar not found", {}, { timeout: 15_000 })).toBeInTheDocument();
    expect(screen.getByText("Google Calendar could not be connected. Try again.")).toBeInTheDocument();
    await waitFor(() => expect(router.state.location.search).toBe(""));
  });

  it("saves the options with PUT", async () => {
    const sent: unknown[] = [];
    renderApp(
      "/settings/calendar",
      serve(async (request, path) => {
        if (path !== "/v1/settings/calendar") return undefined;
        if (request.method === "PUT") {
          const body = (await request.json()) as Record<string, unknown>;
          sent.push(body);
          return json(200, { ...calendar, ...body });
        }
        return json(200, calendar);
      }),
      { tokens },
    );
    const pull = await screen.findByLabelText("Bring my future Google events into the CRM as tasks", {}, { timeout: 15_000 });
    await userEvent.click(pull);
    await userEvent.click(screen.getByRole("button", { name: "Save the options" }));
    await waitFor(() => expect(sent).toEqual([{ push_crm_to_google: true, pull_google_to_crm: true }]));
    expect(await screen.findByText("Saved.")).toBeInTheDocument();
  });
});

describe("the API keys settings", { timeout: 30_000 }, () => {
  it("sends the origins as a list and shows the new key once", async () => {
    const sent: Record<string, unknown>[] = [];
    const keys: Record<string, unknown>[] = [];
    renderApp(
      "/settings/api-keys",
      serve(async (request, path) => {
        if (path === "/v1/api-keys" && request.method === "GET") return json(200, { items: keys, next_cursor: null });
        if (path === "/v1/api-keys" && request.method === "POST") {
          const body = (await request.json()) as Record<string, unknown>;
          sent.push(body);
          const key = { id: "K1", prefix: "crm_K1", user_id: "U1", created_at: "2026-12-01T10:00:00Z", last_used_at: null, ...body };
          keys.push(key);
          return json(201, { ...key, key: "crm_K1_secret" });
        }
        if (path === "/v1/api-keys/K1/snippet") {
          return json(200, { html: "<script>k='crm_K1_PASTE-THE-REST-OF-YOUR-KEY'</script>", endpoint: "http://api.test/v1/forms/leads" });
        }
        return undefined;
      }),
      { tokens },
    );
    expect(await screen.findByText("No API key yet.", {}, { timeout: 15_000 })).toBeInTheDocument();
    expect(screen.getByText(/connect it with the address http:\/\/localhost(:\d+)? and a key of the “api” scope/)).toBeInTheDocument();
    const form = screen.getByRole("form", { name: "Create a key" });
    await userEvent.type(within(form).getByLabelText("Name"), "Shop");
    await userEvent.selectOptions(within(form).getByLabelText("Scope"), "forms");
    await userEvent.type(within(form).getByLabelText("Allowed origins"), "https://shop.example/{enter}https://shop.example");
    await userEvent.click(within(form).getByRole("button", { name: "Create the key" }));
    await waitFor(() => expect(sent).toEqual([{ name: "Shop", scope: "forms", allowed_origins: ["https://shop.example"], rate_limit: 60 }]));
    // jsdom has no showModal: the dialog stays closed, so roles do not reach it; its content does.
    await waitFor(() => expect(document.querySelector("dialog")).not.toBeNull());
    const dialog = document.querySelector("dialog") as HTMLElement;
    expect(within(dialog).getByText("Your new key “Shop”")).toBeInTheDocument();
    expect(within(dialog).getByLabelText("The key")).toHaveValue("crm_K1_secret");
    expect(await within(dialog).findByLabelText("HTML and JavaScript of the form")).toHaveValue("<script>k='crm_K1_secret'</script>");
    // Not a member of the admin group: no owner column.
    expect(screen.queryByRole("columnheader", { name: "Owner" })).not.toBeInTheDocument();
  });

  it("offers Teamsale compatible keys and shows their user key and secret once", async () => {
    const sent: Record<string, unknown>[] = [];
    renderApp(
      "/settings/api-keys",
      serve(async (request, path) => {
        if (path === "/v1/api-keys" && request.method === "GET") return json(200, { items: [], next_cursor: null });
        if (path === "/v1/api-keys" && request.method === "POST") {
          const body = (await request.json()) as Record<string, unknown>;
          sent.push(body);
          const key = {
            id: "01JKEY", prefix: "01JKEY", user_id: "U1", created_at: "2026-12-01T10:00:00Z", last_used_at: null,
            ...body, rate_limit: 100, allowed_origins: [],
          };
          return json(201, { ...key, key: "01JKEY", secret: "0123456789abcdef0123456789abcdef01234567" });
        }
        return undefined;
      }),
      { tokens },
    );
    expect(await screen.findByText("No API key yet.", {}, { timeout: 15_000 })).toBeInTheDocument();
    const form = screen.getByRole("form", { name: "Create a key" });
    await userEvent.type(within(form).getByLabelText("Name"), "Moved from Teamsale");
    await userEvent.selectOptions(within(form).getByLabelText("Scope"), "teamsale");
    expect(within(form).queryByLabelText("Allowed origins")).not.toBeInTheDocument();
    expect(within(form).getByText(/\/v1\/zcrm\/… with this user key and secret/)).toBeInTheDocument();
    await userEvent.click(within(form).getByRole("button", { name: "Create the key" }));
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toMatchObject({ name: "Moved from Teamsale", scope: "teamsale" });
    await waitFor(() => expect(document.querySelector("dialog")).not.toBeNull());
    const dialog = document.querySelector("dialog") as HTMLElement;
    expect(within(dialog).getByLabelText("User key")).toHaveValue("01JKEY");
    expect(within(dialog).getByLabelText("Secret")).toHaveValue("0123456789abcdef0123456789abcdef01234567");
    expect(within(dialog).getByText(/the secret is shown this once only/)).toBeInTheDocument();
  });
});
