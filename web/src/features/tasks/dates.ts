/**
 * Calendar date math on plain dates ("YYYY-MM-DD", no time zone) and wall-clock times of a named
 * time zone. Days are cut at local midnight, found afresh for each day, so a DST day is 23 or 25
 * hours long and never shifts the grid.
 */
export type WeekStart = "monday" | "sunday";
export type View = "month" | "week" | "day";

const DAY_MS = 86_400_000;

function toUtc(date: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d);
}

function fromUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return fromUtc(toUtc(date) + days * DAY_MS);
}

export function addMonths(date: string, months: number): string {
  const d = new Date(toUtc(date));
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), last));
  return fromUtc(target.getTime());
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: string): number {
  return new Date(toUtc(date)).getUTCDay();
}

export function startOfWeek(date: string, weekStart: WeekStart): string {
  const first = weekStart === "monday" ? 1 : 0;
  return addDays(date, -((weekday(date) - first + 7) % 7));
}

export function weekDays(date: string, weekStart: WeekStart): string[] {
  const start = startOfWeek(date, weekStart);
  return Array.from({ length: 7 }, (_, i) => addDays(start, i));
}

/** The month of `date` as whole weeks (4 to 6 rows of 7 dates). */
export function monthGrid(date: string, weekStart: WeekStart): string[][] {
  const first = `${date.slice(0, 7)}-01`;
  const next = addMonths(first, 1);
  const weeks: string[][] = [];
  for (let day = startOfWeek(first, weekStart); day < next; day = addDays(day, 7)) weeks.push(weekDays(day, weekStart));
  return weeks;
}

/** The dates a view shows. */
export function viewDays(view: View, date: string, weekStart: WeekStart): string[] {
  if (view === "day") return [date];
  if (view === "week") return weekDays(date, weekStart);
  return monthGrid(date, weekStart).flat();
}

export function shift(view: View, date: string, step: number): string {
  if (view === "day") return addDays(date, step);
  if (view === "week") return addDays(date, 7 * step);
  return addMonths(date, step);
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock date and minutes since midnight of an instant in `timeZone`. */
export function zonedParts(instant: string | number | Date, timeZone: string): { date: string; minutes: number } {
  const parts = Object.fromEntries(partsFormatter(timeZone).formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** The zone's offset from UTC at an instant, in ms. */
function offsetAt(ms: number, timeZone: string): number {
  const parts = Object.fromEntries(partsFormatter(timeZone).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The instant a wall-clock time of `timeZone` names: in an autumn overlap the earlier one, in a
 *  spring gap the time moves forward by the gap (02:30 that does not exist is 03:30). */
export function zonedToUtc(date: string, minutes: number, timeZone: string): Date {
  const wall = toUtc(date) + minutes * 60_000;
  const before = offsetAt(wall - DAY_MS, timeZone);
  const after = offsetAt(wall + DAY_MS, timeZone);
  const valid = [wall - before, wall - after].filter((ms) => ms + offsetAt(ms, timeZone) === wall);
  return new Date(valid.length ? Math.min(...valid) : wall - before);
}

/** From local midnight to the next local midnight. */
export function dayRange(date: string, timeZone: string): { from: Date; to: Date } {
  return { from: zonedToUtc(date, 0, timeZone), to: zonedToUtc(addDays(date, 1), 0, timeZone) };
}

/** The instants bounding a list of consecutive dates. */
export function rangeOf(days: string[], timeZone: string): { from: Date; to: Date } {
  return { from: dayRange(days[0]!, timeZone).from, to: dayRange(days[days.length - 1]!, timeZone).to };
}

export function todayIn(timeZone: string, now: Date = new Date()): string {
  return zonedParts(now, timeZone).date;
}

/** "YYYY-MM-DDTHH:mm" (an <input type="datetime-local"> value) of an instant in `timeZone`. */
export function toLocalInput(instant: string | Date, timeZone: string): string {
  const { date, minutes } = zonedParts(instant, timeZone);
  return `${date}T${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** The instant of an <input type="datetime-local"> value read in `timeZone`, ISO with Z. */
export function fromLocalInput(value: string, timeZone: string): string {
  const [date, time = "00:00"] = value.split("T") as [string, string?];
  const [h, m] = time.split(":").map(Number) as [number, number];
  return zonedToUtc(date, h * 60 + m, timeZone).toISOString();
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
