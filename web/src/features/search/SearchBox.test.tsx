import { QueryClient } from "@tanstack/react-query";
import { act, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { RouterProvider, createMemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";

import { createApi } from "../../api/client";
import { memoryTokenStore } from "../../api/session";
import { SessionProvider } from "../../app/session";
import { json } from "../../test/render";
import { SearchBox, groupHits } from "./SearchBox";

const HITS = [
  { type: "user", id: "U1", title: "Acme Admin", subtitle: "100" },
  { type: "lead", id: "L1", title: "Acme Bakery", subtitle: "+33600000001" },
  { type: "client", id: "C1", title: "Acme Dental", subtitle: "+33612345678" },
  { type: "deal", id: "D1", title: "Acme Dental: yearly plan", subtitle: null },
];

function renderSearch() {
  const searched: string[] = [];
  const tokens = memoryTokenStore({ accessToken: "A", refreshToken: "R" });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const api = createApi({
    baseUrl: "http://api.test",
    tokens,
    fetch: async (request) => {
      const url = new URL(request.url);
      if (url.pathname !== "/v1/search") return json(404, { error: { code: "not_found", message: "Not found" } });
      const q = url.searchParams.get("q") ?? "";
      searched.push(q);
      return json(200, { items: HITS.filter((hit) => hit.title.toLowerCase().includes(q.toLowerCase())) });
    },
  });
  const router = createMemoryRouter(
    [
      { path: "/", element: <><SearchBox /><button type="button">Elsewhere</button></> },
      { path: "/clients/:id", element: <p>Client page</p> },
      { path: "/leads/:id", element: <p>Lead page</p> },
      { path: "/team", element: <p>Team page</p> },
    ],
    { initialEntries: ["/"] },
  );
  render(
    <SessionProvider services={{ api, tokens, queryClient }}>
      <RouterProvider router={router} />
    </SessionProvider>,
  );
  return { router, searched };
}

describe("the universal search", () => {
  it("groups the hits by kind: clients, leads, deals, people", () => {
    const groups = groupHits(HITS);
    expect(groups.map((g) => g.kind)).toEqual(["client", "lead", "deal", "user"]);
    expect(groups.flatMap((g) => g.options.map((o) => [o.hit.id, o.index, o.path]))).toEqual([
      ["C1", 0, "/clients/C1"],
      ["L1", 1, "/leads/L1"],
      ["D1", 2, "/deals/D1"],
      ["U1", 3, "/team"],
    ]);
  });

  it("is reached with '/' and Ctrl+K, searches once typing pauses, and opens a hit with the keyboard", async () => {
    const user = userEvent.setup();
    const { router, searched } = renderSearch();
    const box = screen.getByRole("combobox", { name: "Search" });

    await user.click(screen.getByRole("button", { name: "Elsewhere" }));
    await user.keyboard("/");
    expect(box).toHaveFocus();
    expect(box).toHaveValue("");
    await user.click(screen.getByRole("button", { name: "Elsewhere" }));
    await user.keyboard("{Control>}k{/Control}");
    expect(box).toHaveFocus();

    await user.type(box, "acme");
    const list = await screen.findByRole("listbox", { name: "Search results" });
    expect(searched).toEqual(["acme"]); // one request for the word, not one per letter
    expect(screen.getByRole("status")).toHaveTextContent("4 results");
    expect(box).toHaveAttribute("aria-expanded", "true");
    const groups = Array.from(list.querySelectorAll('[role="group"]')).map((g) => g.getAttribute("aria-label"));
    expect(groups).toEqual(["Clients", "Leads", "Deals", "People"]);

    await user.keyboard("{ArrowDown}");
    const first = screen.getByRole("option", { name: "Acme Dental +33612345678" });
    expect(box).toHaveAttribute("aria-activedescendant", first.id);
    expect(first).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{ArrowDown}{ArrowDown}{ArrowDown}{ArrowDown}"); // wraps round to the first
    expect(box).toHaveAttribute("aria-activedescendant", first.id);
    await user.keyboard("{ArrowUp}"); // the last: a colleague, who opens the team screen
    expect(screen.getByRole("option", { name: /Acme Admin/ })).not.toHaveAttribute("aria-disabled");

    // Escape closes the list; a second one empties the box.
    await user.keyboard("{ArrowDown}");
    expect(box).toHaveAttribute("aria-expanded", "true");
    await user.keyboard("{Escape}");
    expect(box).toHaveAttribute("aria-expanded", "false");
    expect(box).not.toHaveAttribute("aria-activedescendant");
    await user.keyboard("{Escape}");
    expect(box).toHaveValue("");

    await user.type(box, "acme b");
    await waitFor(() => expect(screen.getAllByRole("option")).toHaveLength(1));
    await user.keyboard("{ArrowDown}{Enter}");
    await waitFor(() => expect(router.state.location.pathname).toBe("/leads/L1"));
    expect(screen.getByText("Lead page")).toBeInTheDocument();
  });

  it("opens a colleague on the team screen", async () => {
    const user = userEvent.setup();
    const { router } = renderSearch();
    const box = screen.getByRole("combobox", { name: "Search" });
    await user.type(box, "acme admin");
    await waitFor(() => expect(screen.getAllByRole("option")).toHaveLength(1));
    await user.keyboard("{ArrowDown}{Enter}");
    await waitFor(() => expect(router.state.location.pathname).toBe("/team"));
    expect(screen.getByText("Team page")).toBeInTheDocument();
  });

  it("says when nothing matches and when the text is too short", async () => {
    const user = userEvent.setup();
    renderSearch();
    const box = screen.getByRole("combobox", { name: "Search" });
    await user.type(box, "z");
    expect(screen.getByRole("status")).toHaveTextContent("Type at least 2 characters.");
    await user.type(box, "zz");
    await waitFor(() => expect(screen.getByRole("status")).toHaveTextContent("No results for “zzz”."));
    expect(box).toHaveAttribute("aria-expanded", "false");
    await act(async () => box.blur());
  });
});
