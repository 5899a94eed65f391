// @vitest-environment node
import { describe, expect, it } from "vitest";

import { dayCount, defaultInterval, presetPeriod, readSelection, todayIn } from "./period";

describe("presets", () => {
  // 2024-05-15 is a Wednesday.
  const today = "2024-05-15";
  it("cut the period up to today", () => {
    expect(presetPeriod("today", today, "monday")).toEqual({ from: today, to: today });
    expect(presetPeriod("this_week", today, "monday")).toEqual({ from: "2024-05-13", to: today });
    expect(presetPeriod("this_week", today, "sunday")).toEqual({ from: "2024-05-12", to: today });
    expect(presetPeriod("last_30_days", today, "monday")).toEqual({ from: "2024-04-16", to: today });
    expect(presetPeriod("this_month", today, "monday")).toEqual({ from: "2024-05-01", to: today });
    expect(presetPeriod("last_month", today, "monday")).toEqual({ from: "2024-04-01", to: "2024-04-30" });
    expect(presetPeriod("this_quarter", today, "monday")).toEqual({ from: "2024-04-01", to: today });
    expect(presetPeriod("this_year", today, "monday")).toEqual({ from: "2024-01-01", to: today });
  });
  it("handle the edges of months, years and weeks", () => {
    expect(presetPeriod("last_month", "2024-01-10", "monday")).toEqual({ from: "2023-12-01", to: "2023-12-31" });
    expect(presetPeriod("last_month", "2024-03-31", "monday")).toEqual({ from: "2024-02-01", to: "2024-02-29" });
    expect(presetPeriod("this_quarter", "2024-12-31", "monday")).toEqual({ from: "2024-10-01", to: "2024-12-31" });
    expect(presetPeriod("this_week", "2024-05-13", "monday")).toEqual({ from: "2024-05-13", to: "2024-05-13" });
    expect(presetPeriod("this_week", "2024-05-12", "monday")).toEqual({ from: "2024-05-06", to: "2024-05-12" });
  });
});

describe("the interval", () => {
  it("follows the period's length", () => {
    expect(dayCount({ from: "2024-01-01", to: "2024-01-01" })).toBe(1);
    expect(defaultInterval({ from: "2024-01-01", to: "2024-03-02" })).toBe("day");
    expect(defaultInterval({ from: "2024-01-01", to: "2024-12-31" })).toBe("week");
    expect(defaultInterval({ from: "2023-01-01", to: "2024-12-31" })).toBe("month");
  });
});

describe("the selection in the address", () => {
  const read = (query: string) => readSelection(new URLSearchParams(query), "2024-05-15", "monday");
  it("defaults to the last 30 days by day, the API's default user", () => {
    expect(read("")).toEqual({
      preset: "last_30_days", period: { from: "2024-04-16", to: "2024-05-15" }, interval: "day", userId: undefined, invalid: undefined,
    });
  });
  it("reads a preset, an interval and a user", () => {
    const s = read("period=this_year&user=u1");
    expect(s.period).toEqual({ from: "2024-01-01", to: "2024-05-15" });
    expect(s.interval).toBe("week");
    expect(s.userId).toBe("u1");
    expect(read("period=this_year&interval=month").interval).toBe("month");
    expect(read("period=nonsense").preset).toBe("last_30_days");
  });
  it("reads custom dates and says what is wrong with them", () => {
    expect(read("period=custom&from=2024-02-01&to=2024-02-10").period).toEqual({ from: "2024-02-01", to: "2024-02-10" });
    expect(read("period=custom&from=2024-02-31&to=2024-02-10").period.from).toBe("2024-04-16");
    expect(read("period=custom&from=2024-02-11&to=2024-02-10").invalid).toBe("order");
    expect(read("period=custom&from=2020-01-01&to=2024-02-10").invalid).toBe("length");
  });
});

describe("today", () => {
  it("is the date of the time zone", () => {
    const now = new Date("2024-05-15T23:30:00Z");
    expect(todayIn("UTC", now)).toBe("2024-05-15");
    expect(todayIn("Europe/Paris", now)).toBe("2024-05-16");
    expect(todayIn("America/New_York", now)).toBe("2024-05-15");
    expect(todayIn("Not/AZone", now)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
