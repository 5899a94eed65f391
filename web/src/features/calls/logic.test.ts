import { describe, expect, it } from "vitest";

import { isLive, parsePhones, periodRange, readRecent, rememberList, splitDuration } from "./logic";

function memory(): Storage {
  const data = new Map<string, string>();
  return {
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
    clear: () => data.clear(),
    key: () => null,
    get length() {
      return data.size;
    },
  };
}

describe("periodRange", () => {
  const now = new Date(2025, 2, 14, 15, 30); // 14 March, local time

  it("gives nothing for any time", () => {
    expect(periodRange("all", now)).toEqual({ from: undefined, to: undefined });
  });

  it("covers whole local days up to the midnight after today", () => {
    expect(periodRange("today", now)).toEqual({
      from: new Date(2025, 2, 14).toISOString(),
      to: new Date(2025, 2, 15).toISOString(),
    });
    expect(periodRange("week", now).from).toBe(new Date(2025, 2, 8).toISOString());
    expect(periodRange("month", now).from).toBe(new Date(2025, 1, 13).toISOString());
    expect(periodRange("thisMonth", now).from).toBe(new Date(2025, 2, 1).toISOString());
  });

  it("takes custom dates, the last day included, either side open", () => {
    expect(periodRange("custom", now, { from: "2025-01-02", to: "2025-01-31" })).toEqual({
      from: new Date(2025, 0, 2).toISOString(),
      to: new Date(2025, 1, 1).toISOString(),
    });
    expect(periodRange("custom", now, { from: "", to: "" })).toEqual({ from: undefined, to: undefined });
  });
});

describe("parsePhones", () => {
  it("splits lines, commas and semicolons, trims and drops blanks and repeats", () => {
    expect(parsePhones(" +33612345678\n\n+33612345679, +33612345680;+33612345678\r\n")).toEqual([
      "+33612345678",
      "+33612345679",
      "+33612345680",
    ]);
    expect(parsePhones("   ")).toEqual([]);
  });
});

describe("recent call lists", () => {
  it("keeps the newest first, once each, per user", () => {
    const storage = memory();
    rememberList(storage, "u1", { id: "a", created_at: "2025-01-01T00:00:00Z", total: 3 });
    rememberList(storage, "u1", { id: "b", created_at: "2025-01-02T00:00:00Z", total: 1 });
    rememberList(storage, "u1", { id: "a", created_at: "2025-01-01T00:00:00Z", total: 3 });
    expect(readRecent(storage, "u1").map((l) => l.id)).toEqual(["a", "b"]);
    expect(readRecent(storage, "u2")).toEqual([]);
  });

  it("survives a damaged entry", () => {
    const storage = memory();
    storage.setItem("crm.autodial.u1", "{not json");
    expect(readRecent(storage, "u1")).toEqual([]);
  });
});

describe("helpers", () => {
  it("splits durations and tells live lists", () => {
    expect(splitDuration(65)).toEqual({ m: 1, s: 5 });
    expect(isLive("running", [])).toBe(true);
    expect(isLive("paused", [{ in_progress: true }])).toBe(true);
    expect(isLive("paused", [{ in_progress: false }])).toBe(false);
    expect(isLive("completed", [])).toBe(false);
  });
});
