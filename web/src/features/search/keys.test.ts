import { describe, expect, it } from "vitest";

import { comboKey, isTyping } from "./keys";

describe("the search box's keyboard", () => {
  it("opens the list on an arrow and moves through the options, wrapping around", () => {
    expect(comboKey("ArrowDown", { open: false, active: -1, count: 3 })).toMatchObject({ open: true, active: 0, handled: true });
    expect(comboKey("ArrowDown", { open: true, active: 0, count: 3 })).toMatchObject({ active: 1 });
    expect(comboKey("ArrowDown", { open: true, active: 2, count: 3 })).toMatchObject({ active: 0 });
    expect(comboKey("ArrowUp", { open: true, active: 0, count: 3 })).toMatchObject({ active: 2 });
    expect(comboKey("ArrowUp", { open: true, active: 2, count: 3 })).toMatchObject({ active: 1 });
    expect(comboKey("ArrowUp", { open: false, active: -1, count: 3 })).toMatchObject({ open: true, active: 2 });
    expect(comboKey("ArrowDown", { open: true, active: -1, count: 0 })).toMatchObject({ active: -1, handled: true });
  });

  it("chooses the active option on Enter, and lets Enter through without one", () => {
    expect(comboKey("Enter", { open: true, active: 1, count: 3 })).toEqual({ open: false, active: -1, choose: 1, handled: true });
    expect(comboKey("Enter", { open: true, active: -1, count: 3 })).toMatchObject({ handled: false });
    expect(comboKey("Enter", { open: false, active: 1, count: 3 }).choose).toBeUndefined();
  });

  it("closes on Escape, then clears the text on a second Escape", () => {
    expect(comboKey("Escape", { open: true, active: 1, count: 3 })).toEqual({ open: false, active: -1, handled: true });
    expect(comboKey("Escape", { open: false, active: -1, count: 3 })).toMatchObject({ clear: true, handled: true });
  });

  it("closes on Tab without keeping the focus, and ignores other keys", () => {
    expect(comboKey("Tab", { open: true, active: 1, count: 3 })).toEqual({ open: false, active: -1, handled: false });
    expect(comboKey("a", { open: true, active: 1, count: 3 })).toEqual({ open: true, active: 1, handled: false });
  });

  it("knows where '/' is typed rather than a shortcut", () => {
    expect(isTyping(document.createElement("input"))).toBe(true);
    expect(isTyping(document.createElement("textarea"))).toBe(true);
    expect(isTyping(document.createElement("button"))).toBe(false);
    expect(isTyping(null)).toBe(false);
  });
});
