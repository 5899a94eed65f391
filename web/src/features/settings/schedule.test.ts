// @vitest-environment node
import { describe, expect, it } from "vitest";

import {
  addDays, dayIndex, dayNight48Preset, fieldPaths, isWeekly, mondayOf, preview, todayIn, wallMinutes, weeklyPreset,
  withPeriod, type Schedule,
} from "./schedule";

describe("cycle days", () => {
  const cycle = { period_days: 4, start_date: "2026-11-23" };

  it("counts from the start date modulo the period, backwards too", () => {
    expect(dayIndex(cycle, "2026-11-23")).toBe(0);
    expect(dayIndex(cycle, "2026-11-26")).toBe(3);
    expect(dayIndex(cycle, "2026-11-27")).toBe(0);
    expect(dayIndex(cycle, "2026-11-22")).toBe(3);
    expect(dayIndex(cycle, "2026-11-19")).toBe(0);
    // Across a DST change and a year end: whole calendar days, not 24-hour steps.
    expect(dayIndex(cycle, "2027-03-29")).toBe((126 % 4 + 4) % 4);
    expect(dayIndex({ period_days: 7, start_date: "2026-12-28" }, "2027-01-04")).toBe(0);
  });

  it("knows dates, weeks and shift lengths", () => {
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2027-03-01", -1)).toBe("2027-02-28");
    expect(mondayOf("2026-12-06")).toBe("2026-11-30"); // a Sunday
    expect(mondayOf("2026-11-30")).toBe("2026-11-30");
    expect(isWeekly({ period_days: 7, start_date: "2026-11-30" })).toBe(true);
    expect(isWeekly({ period_days: 7, start_date: "2026-12-01" })).toBe(false);
    expect(isWeekly({ period_days: 4, start_date: "2026-11-30" })).toBe(false);
    expect(wallMinutes({ start: "09:00", end: "17:30" })).toBe(510);
    expect(wallMinutes({ start: "20:00", end: "08:00" })).toBe(720);
    expect(wallMinutes({ start: "00:00", end: "00:00" })).toBe(1440);
    expect(todayIn("Pacific/Auckland", new Date("2026-11-30T12:00:00Z"))).toBe("2026-12-01");
    expect(todayIn("America/Los_Angeles", new Date("2026-11-30T06:00:00Z"))).toBe("2026-11-29");
  });
});

describe("the preview of the next days", () => {
  it("repeats day-night-48: a day shift, a night shift, two days off", () => {
    const schedule = dayNight48Preset("Europe/Paris", "2026-11-23");
    const days = preview(schedule, "2026-11-22", 6);
    expect(days.map((d) => [d.date, d.day, d.shifts])).toEqual([
      ["2026-11-22", 3, []],
      ["2026-11-23", 0, [{ start: "08:00", end: "20:00" }]],
      ["2026-11-24", 1, [{ start: "20:00", end: "08:00" }]],
      ["2026-11-25", 2, []],
      ["2026-11-26", 3, []],
      ["2026-11-27", 0, [{ start: "08:00", end: "20:00" }]],
    ]);
    expect(days[2]?.minutes).toBe(720);
  });

  it("lets an exception replace the cycle's shifts of its date", () => {
    const schedule: Schedule = {
      ...weeklyPreset("Europe/Paris", "2026-12-23"),
      exceptions: [
        { date: "2026-12-25", shifts: [] },
        { date: "2026-12-26", shifts: [{ start: "13:00", end: "15:00" }, { start: "10:00", end: "12:00" }] },
      ],
    };
    expect(schedule.start_date).toBe("2026-12-21");
    const days = preview(schedule, "2026-12-24", 3);
    expect(days[0]).toMatchObject({ date: "2026-12-24", day: 3, exception: false, minutes: 480 });
    expect(days[1]).toMatchObject({ date: "2026-12-25", exception: true, shifts: [], minutes: 0 });
    expect(days[2]).toMatchObject({
      date: "2026-12-26",
      day: 5,
      exception: true,
      shifts: [{ start: "10:00", end: "12:00" }, { start: "13:00", end: "15:00" }],
    });
  });

  it("drops the shifts of days a shorter period no longer has, and lists the API's error paths", () => {
    const schedule = withPeriod(weeklyPreset("UTC", "2026-11-30"), 3);
    expect(schedule.shifts.map((s) => s.day)).toEqual([0, 1, 2]);
    expect(fieldPaths({ ...schedule, exceptions: [{ date: "2026-12-25", shifts: [{ start: "09:00", end: "10:00" }] }] }))
      .toEqual(expect.arrayContaining(["shifts[2].end", "exceptions[0].date", "exceptions[0].shifts[0].start"]));
  });
});
