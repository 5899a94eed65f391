// @vitest-environment node
import { describe, expect, it } from "vitest";

import { isLive, parsePhones, periodRange, splitDuration } from "./logic";

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

describe("helpers", () => {
  it("splits durations and tells live lists", () => {
    expect(splitDuration(65)).toEqual({ m: 1, s: 5 });
    expect(isLive("running", [])).toBe(true);
    expect(isLive("paused", [{ in_progress: true }])).toBe(true);
    expect(isLive("paused", [{ in_progress: false }])).toBe(false);
    expect(isLive("completed", [])).toBe(false);
  });
});
