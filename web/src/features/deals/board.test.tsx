import { QueryClient } from "@tanstack/react-query";
import { act, renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { describe, expect, it, vi } from "vitest";

import { createApi } from "../../api/client";
import { memoryTokenStore } from "../../api/session";
import { SessionProvider } from "../../app/session";
import { json } from "../../test/render";
import { addMoney, applyMove, moveBody, moveFromDrop, type Board, type Deal, type Status } from "./board";
import { BOARD, useMoveDeal } from "./hooks";

const EUR = (amount: string) => ({ amount, currency: "EUR" });

function deal(id: string, status: Status, amount = "100.00", version = 1): Deal {
  return {
    id, title: `Deal ${id}`, client_id: "C1", value: EUR(amount), status, responsible_user_id: "U1", position: id,
    time_in_status: {}, created_at: "2026-01-01T00:00:00Z", closed_at: null, version,
  };
}

function board(): Board {
  const columns = (["new", "in_progress", "decision", "payment", "success", "canceled"] as Status[]).map((status) => ({
    status, count: 0, total: EUR("0.00"), items: [] as Deal[], next_cursor: null,
  }));
  columns[0]!.items = [deal("a", "new", "100.00"), deal("b", "new", "250.50"), deal("c", "new", "10.00")];
  columns[0]!.count = 40;
  columns[0]!.total = EUR("5000.00");
  columns[2]!.items = [deal("d", "decision", "1.00")];
  columns[2]!.count = 1;
  columns[2]!.total = EUR("1.00");
  columns[4]!.items = [deal("w", "success", "9.00")];
  columns[4]!.count = 1;
  columns[4]!.total = EUR("9.00");
  return { columns };
}

const column = (b: Board, s: Status) => b.columns.find((c) => c.status === s)!;
const ids = (b: Board, s: Status) => column(b, s).items.map((d) => d.id);

describe("the board's moves", () => {
  it("moves a card to another column: counts and totals follow, the PATCH carries status, position, version", () => {
    const before = board();
    const move = moveFromDrop(before, "b", "d")!;
    expect(move).toEqual({ dealId: "b", to: "decision", index: 0 });
    expect(moveBody(before, move)).toEqual({ status: "decision", position: 0, version: 1 });
    const after = applyMove(before, move);
    expect(ids(after, "new")).toEqual(["a", "c"]);
    expect(ids(after, "decision")).toEqual(["b", "d"]);
    expect(column(after, "new")).toMatchObject({ count: 39, total: EUR("4749.50") });
    expect(column(after, "decision")).toMatchObject({ count: 2, total: EUR("251.50") });
    expect(column(after, "decision").items[0]!.status).toBe("decision");
    expect(ids(before, "new")).toEqual(["a", "b", "c"]); // the snapshot to roll back to is untouched
  });

  it("dropping on a column puts the card on top of it; on its own column, nowhere", () => {
    const b = board();
    expect(moveFromDrop(b, "a", "column:payment")).toEqual({ dealId: "a", to: "payment", index: 0 });
    expect(moveFromDrop(b, "a", "column:new")).toBeUndefined();
    expect(moveFromDrop(b, "a", "a")).toBeUndefined();
  });

  it("reorders within a column with the position only", () => {
    const b = board();
    const down = moveFromDrop(b, "a", "c")!;
    expect(moveBody(b, down)).toEqual({ position: 2, version: 1 });
    expect(ids(applyMove(b, down), "new")).toEqual(["b", "c", "a"]);
    const up = moveFromDrop(b, "c", "a")!;
    expect(ids(applyMove(b, up), "new")).toEqual(["c", "a", "b"]);
    expect(column(applyMove(b, up), "new").count).toBe(40);
  });

  it("adds decimal money exactly and leaves another currency to the server", () => {
    expect(addMoney(EUR("0.10"), EUR("0.20"), 1)).toEqual(EUR("0.30"));
    expect(addMoney(EUR("5"), EUR("7.5"), -1)).toEqual(EUR("-2.5"));
    expect(addMoney(EUR("10.00"), { amount: "3.00", currency: "USD" }, 1)).toEqual(EUR("10.00"));
  });
});

describe("useMoveDeal", () => {
  function setup(patch: (request: Request) => Promise<Response>) {
    const tokens = memoryTokenStore({ accessToken: "A", refreshToken: "R" });
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const fetch = vi.fn(async (request: Request) => {
      if (request.method === "PATCH") return patch(request);
      return json(200, board()); // the summary after a move
    });
    const api = createApi({ baseUrl: "http://api.test", tokens, fetch });
    queryClient.setQueryData(BOARD, board());
    const refused = vi.fn();
    const wrapper = ({ children }: { children: ReactNode }) => (
      <SessionProvider services={{ api, tokens, queryClient }}>{children}</SessionProvider>
    );
    const hook = renderHook(() => useMoveDeal(refused), { wrapper });
    return { hook, queryClient, refused, fetch };
  }

  it("shows the move at once and rolls it back with a message when the API refuses (a won deal)", async () => {
    let release!: (r: Response) => void;
    const { hook, queryClient, refused, fetch } = setup(() => new Promise((done) => (release = done)));
    const b = board();
    const move = moveFromDrop(b, "w", "column:decision")!;
    act(() => hook.result.current.mutate({ move, body: moveBody(b, move)! }));
    await waitFor(() => expect(ids(queryClient.getQueryData<Board>(BOARD)!, "decision")).toEqual(["w", "d"]));
    expect(column(queryClient.getQueryData<Board>(BOARD)!, "success").count).toBe(0);
    release(json(409, { error: { code: "conflict", message: "a won or canceled deal is closed", field: "status" } }));
    await waitFor(() => expect(refused).toHaveBeenCalled());
    expect(refused.mock.calls[0]![0]).toMatch(/cannot move/);
    const after = queryClient.getQueryData<Board>(BOARD)!;
    expect(ids(after, "success")).toEqual(["w"]);
    expect(ids(after, "decision")).toEqual(["d"]);
    expect(column(after, "success").count).toBe(1);
    // One PATCH, with the status and the version read.
    const patches = fetch.mock.calls.filter(([r]) => r.method === "PATCH");
    expect(patches).toHaveLength(1);
    expect(new URL(patches[0]![0].url).pathname).toBe("/v1/deals/w");
  });

  it("keeps the move, takes the server's version and refreshes the counts after success", async () => {
    const { hook, queryClient, fetch } = setup(async (request) => {
      const body = (await request.json()) as Record<string, unknown>;
      expect(body).toEqual({ status: "decision", position: 0, version: 1 });
      return json(200, { ...deal("a", "decision"), version: 2 });
    });
    const b = board();
    const move = moveFromDrop(b, "a", "d")!;
    act(() => hook.result.current.mutate({ move, body: moveBody(b, move)! }));
    await waitFor(() => expect(hook.result.current.isSuccess).toBe(true));
    await waitFor(() => expect(fetch.mock.calls.some(([r]) => r.url.includes("/v1/deals/board?limit=1"))).toBe(true));
    const after = queryClient.getQueryData<Board>(BOARD)!;
    await waitFor(() => expect(column(queryClient.getQueryData<Board>(BOARD)!, "new").count).toBe(40)); // from the server's summary
    expect(ids(after, "decision")).toEqual(["a", "d"]);
    expect(column(after, "decision").items[0]!.version).toBe(2);
  });
});
