import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { json, renderApp } from "../../test/render";

const tokens = { accessToken: "A", refreshToken: "R" };
const deal = {
  id: "D1",
  title: "Chairs for Acme",
  client_id: "C1",
  value: { amount: "100.00", currency: "EUR" },
  status: "new",
  responsible_user_id: "U1",
  position: "a",
  time_in_status: {},
  created_at: "2025-03-14T10:00:00Z",
  closed_at: null,
  version: 1,
  feed: { items: [], next_cursor: null },
};

function serve(permissions: Record<string, boolean>, deleted: string[]) {
  const me = { id: "U1", name: "Demo User", email: "demo@example.com", language: "en", extension: "100",
    group: { id: "G", name: "Sales", type: "custom", permissions } };
  return async (request: Request) => {
    const url = new URL(request.url);
    if (url.pathname === "/v1/me") return json(200, me);
    if (url.pathname === "/v1/deals/D1" && request.method === "DELETE") {
      deleted.push("D1");
      return new Response(null, { status: 204 });
    }
    if (url.pathname === "/v1/deals/D1") return json(200, deal);
    if (url.pathname === "/v1/deals/board") return json(200, { columns: [] });
    if (url.pathname === "/v1/calls/current") return json(200, { call: null });
    if (url.pathname === "/v1/notifications/unread-count") return json(200, { unread: 0 });
    if (url.pathname === "/v1/users") return json(200, { items: [], next_cursor: null });
    return json(404, { error: { code: "not_found", message: "Not found" } });
  };
}

afterEach(() => vi.restoreAllMocks());

describe("deleting a deal", () => {
  it("is disabled, with the reason, without the right to delete", { timeout: 20_000 }, async () => {
    renderApp("/deals/D1", serve({ customers_edit: true }, []), { tokens });
    const button = await screen.findByRole("button", { name: "Delete the deal" }, { timeout: 8000 });
    expect(button).toBeDisabled();
    expect(button).toHaveAccessibleDescription("Deleting deals needs the “delete clients” right.");
  });

  it("asks first, then deletes and goes back to the board", { timeout: 20_000 }, async () => {
    const deleted: string[] = [];
    const confirm = vi.spyOn(window, "confirm").mockReturnValueOnce(false).mockReturnValueOnce(true);
    const { router } = renderApp("/deals/D1", serve({ customers_delete: true }, deleted), { tokens });
    const button = await screen.findByRole("button", { name: "Delete the deal" }, { timeout: 8000 });
    expect(button).toBeEnabled();
    await userEvent.click(button);
    expect(confirm).toHaveBeenCalledWith("Delete the deal “Chairs for Acme”? This cannot be undone.");
    expect(deleted).toEqual([]);
    await userEvent.click(button);
    await waitFor(() => expect(router.state.location.pathname).toBe("/deals"));
    expect(deleted).toEqual(["D1"]);
  });
});
