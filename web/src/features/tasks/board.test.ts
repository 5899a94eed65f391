// @vitest-environment node
import { describe, expect, it } from "vitest";

import { appendTasks, nextPageQuery, type TaskBoard } from "./board";

const task = (id: string, status = "open") => ({ id, status, title: id }) as TaskBoard["columns"][number]["items"][number];

const board: TaskBoard = {
  columns: [
    { status: "open", items: [task("a"), task("b")], next_cursor: "c1" },
    { status: "in_progress", items: [], next_cursor: null },
    { status: "done", items: [task("z", "done")], next_cursor: "d1" },
  ],
};

describe("task board paging", () => {
  it("appends a page to its column only, without repeating cards, and keeps the new cursor", () => {
    const next = appendTasks(board, "open", [task("b"), task("c")], null);
    expect(next.columns[0]!.items.map((t) => t.id)).toEqual(["a", "b", "c"]);
    expect(next.columns[0]!.next_cursor).toBeNull();
    expect(next.columns[2]).toBe(board.columns[2]);
    expect(board.columns[0]!.items).toHaveLength(2); // not mutated
  });

  it("asks for done tasks newest first, the others by start", () => {
    expect(nextPageQuery("done", "d1")).toEqual({ status: "done", cursor: "d1", limit: 50, order: "desc" });
    expect(nextPageQuery("open", "c1", 10)).toEqual({ status: "open", cursor: "c1", limit: 10, order: "asc" });
  });
});
