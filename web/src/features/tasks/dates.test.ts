// @vitest-environment node
import { describe, expect, it } from "vitest";

import {
  addMonths, dayRange, fromLocalInput, monthGrid, rangeOf, shift, startOfWeek, toLocalInput, viewDays, weekDays,
  zonedParts, zonedToUtc,
} from "./dates";

describe("weeks and months", () => {
  it("starts the week on the user's day", () => {
    // 2026-12-05 is a Saturday.
    expect(startOfWeek("2026-12-05", "monday")).toBe("2026-11-30");
    expect(startOfWeek("2026-12-05", "sunday")).toBe("2026-11-29");
    expect(startOfWeek("2026-11-29", "sunday")).toBe("2026-11-29");
    expect(startOfWeek("2026-11-29", "monday")).toBe("2026-11-23");
    expect(weekDays("2026-12-31", "monday")).toEqual([
      "2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02", "2027-01-03",
    ]);
  });

  it("lays a month out in whole weeks", () => {
    const monday = monthGrid("2026-02-14", "monday"); // February 2026 starts on a Sunday
    expect(monday[0]![0]).toBe("2026-01-26");
    expect(monday.at(-1)!.at(-1)).toBe("2026-03-01");
    expect(monday).toHaveLength(5);
    const sunday = monthGrid("2026-02-14", "sunday");
    expect(sunday[0]![0]).toBe("2026-02-01");
    expect(sunday).toHaveLength(4);
    expect(viewDays("month", "2026-02-14", "sunday")).toHaveLength(28);
  });

  it("moves by months without overflowing short ones", () => {
    expect(addMonths("2026-01-31", 1)).toBe("2026-02-28");
    expect(shift("month", "2026-12-15", 1)).toBe("2027-01-15");
    expect(shift("week", "2026-12-30", 1)).toBe("2027-01-06");
    expect(shift("day", "2026-03-01", -1)).toBe("2026-02-28");
  });
});

describe("days in a time zone", () => {
  it("cuts DST days at local midnight: 23 and 25 hours in Paris", () => {
    const spring = dayRange("2026-03-29", "Europe/Paris");
    expect(spring.from.toISOString()).toBe("2026-03-28T23:00:00.000Z");
    expect(spring.to.toISOString()).toBe("2026-03-29T22:00:00.000Z");
    expect((spring.to.getTime() - spring.from.getTime()) / 3_600_000).toBe(23);
    const autumn = dayRange("2026-10-25", "Europe/Paris");
    expect((autumn.to.getTime() - autumn.from.getTime()) / 3_600_000).toBe(25);
    const ny = dayRange("2026-03-08", "America/New_York");
    expect((ny.to.getTime() - ny.from.getTime()) / 3_600_000).toBe(23);
  });

  it("a week across the change still starts and ends at local midnights", () => {
    const week = rangeOf(weekDays("2026-10-25", "monday"), "Europe/Paris");
    expect(week.from.toISOString()).toBe("2026-10-18T22:00:00.000Z");
    expect(week.to.toISOString()).toBe("2026-10-25T23:00:00.000Z");
  });

  it("reads wall-clock times both ways, a time in the spring gap moving forward", () => {
    expect(zonedToUtc("2026-07-01", 9 * 60, "Europe/Paris").toISOString()).toBe("2026-07-01T07:00:00.000Z");
    expect(zonedToUtc("2026-03-29", 2 * 60 + 30, "Europe/Paris").toISOString()).toBe("2026-03-29T01:30:00.000Z");
    expect(zonedToUtc("2026-10-25", 2 * 60 + 30, "Europe/Paris").toISOString()).toBe("2026-10-25T00:30:00.000Z");
    expect(zonedParts("2026-10-25T01:30:00Z", "Europe/Paris")).toEqual({ date: "2026-10-25", minutes: 150 });
    expect(zonedParts("2026-12-31T23:30:00Z", "Asia/Tokyo")).toEqual({ date: "2027-01-01", minutes: 510 });
    expect(toLocalInput("2026-07-01T07:05:00Z", "Europe/Paris")).toBe("2026-07-01T09:05");
    expect(fromLocalInput("2026-07-01T09:05", "Europe/Paris")).toBe("2026-07-01T07:05:00.000Z");
    expect(fromLocalInput("2026-01-15T09:00", "UTC")).toBe("2026-01-15T09:00:00.000Z");
  });
});
