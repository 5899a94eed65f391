/**
 * Working hours (API.md, SPEC ST-3) on the client: presets, the cycle day of a date and the
 * preview of the next days. The same rules as the API's `domain/schedule.py`: `day` counts from
 * `start_date` (day 0) modulo `period_days` (backwards too), an exception replaces its date's
 * shifts, an `end` not after `start` ends on the next day. Dates are plain `YYYY-MM-DD` strings,
 * times wall-clock `HH:MM` in the schedule's zone, so no time zone arithmetic is needed here.
 */

export interface ShiftTime {
  start: string;
  end: string;
}

export interface Shift extends ShiftTime {
  day: number;
}

export interface ExceptionDay {
  date: string;
  shifts: ShiftTime[];
}

export interface Schedule {
  timezone: string;
  period_days: number;
  start_date: string;
  shifts: Shift[];
  exceptions: ExceptionDay[];
}

const DAY_MS = 86_400_000;

function toUtc(date: string): number {
  const [y, m, d] = date.split("-").map(Number);
  return Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1);
}

function fromUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function isDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && fromUtc(toUtc(value)) === value;
}

export function addDays(date: string, days: number): string {
  return fromUtc(toUtc(date) + days * DAY_MS);
}

/** 0 Monday … 6 Sunday. */
export function weekday(date: string): number {
  return (new Date(toUtc(date)).getUTCDay() + 6) % 7;
}

/** The Monday on or before a date. */
export function mondayOf(date: string): string {
  return addDays(date, -weekday(date));
}

/** Today's date in a time zone (the browser's own when the zone is unknown). */
export function todayIn(timezone: string, now: Date = new Date()): string {
  try {
    return new Intl.DateTimeFormat("en-CA", { timeZone: timezone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
  } catch {
    return new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
  }
}

/** The cycle day (0 … period_days − 1) of a date; dates before `start_date` follow the cycle backwards. */
export function dayIndex(schedule: Pick<Schedule, "period_days" | "start_date">, date: string): number {
  const period = Math.max(1, schedule.period_days);
  const days = Math.round((toUtc(date) - toUtc(schedule.start_date)) / DAY_MS);
  return ((days % period) + period) % period;
}

/** A weekly schedule: period 7 from a Monday, so cycle days are weekdays. */
export function isWeekly(schedule: Pick<Schedule, "period_days" | "start_date">): boolean {
  return schedule.period_days === 7 && isDate(schedule.start_date) && weekday(schedule.start_date) === 0;
}

/** Minutes of wall-clock time a shift lasts (1 … 1440); an end not after the start is the next day's. */
export function wallMinutes({ start, end }: ShiftTime): number {
  const minutes = (time: string) => {
    const [h, m] = time.split(":").map(Number);
    return (h ?? 0) * 60 + (m ?? 0);
  };
  const lo = minutes(start);
  const hi = minutes(end);
  return hi > lo ? hi - lo : hi + 1440 - lo;
}

export function crossesMidnight({ start, end }: ShiftTime): boolean {
  return end <= start;
}

export interface PreviewDay {
  date: string;
  /** The cycle day, 0-based. */
  day: number;
  exception: boolean;
  shifts: ShiftTime[];
  minutes: number;
}

/** The shifts starting on each of `count` dates from `from`: the exception's if any, else the cycle day's. */
export function preview(schedule: Schedule, from: string, count: number): PreviewDay[] {
  const exceptions = new Map(schedule.exceptions.map((e) => [e.date, e.shifts]));
  const days: PreviewDay[] = [];
  for (let i = 0; i < count; i += 1) {
    const date = addDays(from, i);
    const day = dayIndex(schedule, date);
    const exception = exceptions.get(date);
    const shifts = (exception ?? schedule.shifts.filter((s) => s.day === day).map(({ start, end }) => ({ start, end })))
      .slice()
      .sort((a, b) => a.start.localeCompare(b.start));
    days.push({
      date,
      day,
      exception: exception !== undefined,
      shifts,
      minutes: shifts.reduce((sum, s) => sum + wallMinutes(s), 0),
    });
  }
  return days;
}

/** Mon–Fri 09:00–17:00 from the Monday of `today`'s week. */
export function weeklyPreset(timezone: string, today: string): Schedule {
  return {
    timezone,
    period_days: 7,
    start_date: mondayOf(today),
    shifts: [0, 1, 2, 3, 4].map((day) => ({ day, start: "09:00", end: "17:00" })),
    exceptions: [],
  };
}

/** The "day-night-48" cycle: a day shift, a night shift, then 48 hours off (period 4). */
export function dayNight48Preset(timezone: string, startDate: string): Schedule {
  return {
    timezone,
    period_days: 4,
    start_date: startDate,
    shifts: [
      { day: 0, start: "08:00", end: "20:00" },
      { day: 1, start: "20:00", end: "08:00" },
    ],
    exceptions: [],
  };
}

/** A new period: shifts on days that no longer exist are dropped. */
export function withPeriod(schedule: Schedule, period_days: number): Schedule {
  return { ...schedule, period_days, shifts: schedule.shifts.filter((s) => s.day < period_days) };
}

/** The document the API takes (PUT /v1/me/working-hours), in the editor's order (the API's error paths index it). */
export function toDocument(schedule: Schedule): Schedule {
  return {
    timezone: schedule.timezone,
    period_days: schedule.period_days,
    start_date: schedule.start_date,
    shifts: schedule.shifts.map(({ day, start, end }) => ({ day, start, end })),
    exceptions: schedule.exceptions.map(({ date, shifts }) => ({ date, shifts: shifts.map(({ start, end }) => ({ start, end })) })),
  };
}

/** Every field path the API may name in an error about this document (`shifts[1].start`, …). */
export function fieldPaths(schedule: Schedule): string[] {
  const paths = ["timezone", "period_days", "start_date", "shifts", "exceptions", "body"];
  schedule.shifts.forEach((_, i) => paths.push(`shifts[${i}]`, `shifts[${i}].day`, `shifts[${i}].start`, `shifts[${i}].end`));
  schedule.exceptions.forEach((e, i) => {
    paths.push(`exceptions[${i}]`, `exceptions[${i}].date`, `exceptions[${i}].shifts`);
    e.shifts.forEach((_, k) => paths.push(`exceptions[${i}].shifts[${k}]`, `exceptions[${i}].shifts[${k}].start`, `exceptions[${i}].shifts[${k}].end`));
  });
  return paths;
}
