// @vitest-environment node
import { describe, expect, it } from "vitest";

import { placeSideBySide } from "./layout";

const at = (id: string, from: number, to: number) => ({ id, from, to });

describe("side-by-side placement of a day's tasks", () => {
  it("gives tasks that do not overlap the whole width", () => {
    const placed = placeSideBySide([at("a", 600, 660), at("b", 660, 720)]);
    expect(placed.get("a")).toEqual({ column: 0, columns: 1 });
    expect(placed.get("b")).toEqual({ column: 0, columns: 1 });
  });

  it("puts two tasks of the same quarter hour side by side", () => {
    const placed = placeSideBySide([at("reminder", 676, 706), at("call", 675, 705)]);
    expect(placed.get("call")).toEqual({ column: 0, columns: 2 });
    expect(placed.get("reminder")).toEqual({ column: 1, columns: 2 });
  });

  it("shares one width across a chain of overlaps and reuses a column once free", () => {
    // a 9:00-11:00; b 9:30-10:00; c 10:30-11:30 (b's column is free again); d 13:00 alone.
    const placed = placeSideBySide([at("a", 540, 660), at("b", 570, 600), at("c", 630, 690), at("d", 780, 810)]);
    expect(placed.get("a")).toEqual({ column: 0, columns: 2 });
    expect(placed.get("b")).toEqual({ column: 1, columns: 2 });
    expect(placed.get("c")).toEqual({ column: 1, columns: 2 });
    expect(placed.get("d")).toEqual({ column: 0, columns: 1 });
  });

  it("opens a column for each task running at once, the longest first", () => {
    const placed = placeSideBySide([at("short", 600, 630), at("long", 600, 720), at("mid", 610, 660)]);
    expect([placed.get("long"), placed.get("short"), placed.get("mid")]).toEqual([
      { column: 0, columns: 3 }, { column: 1, columns: 3 }, { column: 2, columns: 3 },
    ]);
  });

  it("places nothing for an empty day", () => {
    expect(placeSideBySide([]).size).toBe(0);
  });
});
