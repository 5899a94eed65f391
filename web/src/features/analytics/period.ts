/**
 * The analytics period: presets cut on plain dates ("YYYY-MM-DD") of the company's time zone
 * (the API's days), the week on the user's week start (the API's week buckets), and the series
 * interval that suits the period's length when none was chosen.
 */
export type WeekStart = "monday" | "sunday";
export type Interval = "day" | "week" | "month";
export const INTERVALS: Interval[] = ["day", "week", "month"];
export const PRESETS = [
  "today",
  "this_week",
  "last_30_days",
  "this_month",
  "last_month",
  "this_quarter",
  "this_year",
  "custom",
] as const;
export type Preset = (typeof PRESETS)[number];
export const DEFAULT_PRESET = "last_30_days" satisfies Preset;
/** The API's limit (about three years). */
export const MAX_DAYS = 1098;

export interface Period {
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

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

export function isDate(value: string | null | undefined): value is string {
  return !!value && DATE.test(value) && fromUtc(toUtc(value)) === value;
}

/** Days from `from` to `to`, both counted. */
export function dayCount({ from, to }: Period): number {
  return Math.round((toUtc(to) - toUtc(from)) / DAY_MS) + 1;
}

/** Today in a time zone (the browser's when none is known or it is not a valid zone). */
export function todayIn(timeZone: string | null | undefined, now: Date = new Date()): string {
  try {
    const parts = new Intl.DateTimeFormat("en-CA", { timeZone: timeZone ?? undefined, year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(now);
    const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
    return `${get("year")}-${get("month")}-${get("day")}`;
  } catch {
    return todayIn(undefined, now);
  }
}

function monthStart(date: string, offset = 0): string {
  const d = new Date(toUtc(date));
  return fromUtc(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1));
}

/** The preset's dates up to `today` (a period never runs past today, except a custom one). */
export function presetPeriod(preset: Exclude<Preset, "custom">, today: string, weekStart: WeekStart): Period {
  switch (preset) {
    case "today":
      return { from: today, to: today };
    case "this_week": {
      const first = weekStart === "sunday" ? 0 : 1;
      const weekday = new Date(toUtc(today)).getUTCDay();
      return { from: addDays(today, -((weekday - first + 7) % 7)), to: today };
    }
    case "last_30_days":
      return { from: addDays(today, -29), to: today };
    case "this_month":
      return { from: monthStart(today), to: today };
    case "last_month":
      return { from: monthStart(today, -1), to: addDays(monthStart(today), -1) };
    case "this_quarter": {
      const month = Number(today.slice(5, 7));
      return { from: monthStart(today, -((month - 1) % 3)), to: today };
    }
    case "this_year":
      return { from: `${today.slice(0, 4)}-01-01`, to: today };
  }
}

/** The series interval that keeps a chart readable: days up to two months, weeks up to a year. */
export function defaultInterval(period: Period): Interval {
  const days = dayCount(period);
  if (days <= 62) return "day";
  if (days <= 366) return "week";
  return "month";
}

export interface Selection {
  preset: Preset;
  period: Period;
  interval: Interval;
  /** One user's figures; undefined: the API's default (the CRM, or one's own without the right). */
  userId: string | undefined;
  /** Why the custom dates cannot be asked for (then the preset's last good period is not used either). */
  invalid?: "order" | "length";
}

/** The selection in the page's address (`period`, `from`, `to`, `interval`, `user`). */
export function readSelection(params: URLSearchParams, today: string, weekStart: WeekStart): Selection {
  const asked = params.get("period");
  const preset: Preset = (PRESETS as readonly string[]).includes(asked ?? "") ? (asked as Preset) : DEFAULT_PRESET;
  let period: Period;
  let invalid: Selection["invalid"];
  if (preset === "custom") {
    const fallback = presetPeriod(DEFAULT_PRESET, today, weekStart);
    const from = params.get("from");
    const to = params.get("to");
    period = { from: isDate(from) ? from : fallback.from, to: isDate(to) ? to : fallback.to };
    if (period.from > period.to) invalid = "order";
    else if (dayCount(period) > MAX_DAYS) invalid = "length";
  } else {
    period = presetPeriod(preset, today, weekStart);
  }
  const interval = params.get("interval");
  return {
    preset,
    period,
    interval: (INTERVALS as string[]).includes(interval ?? "") ? (interval as Interval) : invalid ? "day" : defaultInterval(period),
    userId: params.get("user") || undefined,
    invalid,
  };
}
