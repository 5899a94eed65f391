/** The calls and autodial screens' plain logic: period presets, pasted numbers, live lists. */

export const PERIODS = ["all", "today", "week", "month", "thisMonth", "custom"] as const;
export type Period = (typeof PERIODS)[number];

function startOfDay(day: Date): Date {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate());
}

function addDays(day: Date, days: number): Date {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate() + days);
}

/** A `YYYY-MM-DD` date input's value as local midnight. */
function parseDay(value: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return match ? new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : undefined;
}

/**
 * The API's `from` (at or after) and `to` (before) for a period, in the browser's time zone:
 * whole days, `to` the midnight after the last one. `custom` uses the two date inputs (either may
 * be empty).
 */
export function periodRange(period: Period, now: Date, custom: { from: string; to: string } = { from: "", to: "" }) {
  const today = startOfDay(now);
  const tomorrow = addDays(today, 1);
  let from: Date | undefined;
  let to: Date | undefined;
  switch (period) {
    case "all":
      break;
    case "today":
      [from, to] = [today, tomorrow];
      break;
    case "week":
      [from, to] = [addDays(today, -6), tomorrow];
      break;
    case "month":
      [from, to] = [addDays(today, -29), tomorrow];
      break;
    case "thisMonth":
      [from, to] = [new Date(today.getFullYear(), today.getMonth(), 1), tomorrow];
      break;
    case "custom": {
      from = parseDay(custom.from);
      const last = parseDay(custom.to);
      to = last ? addDays(last, 1) : undefined;
      break;
    }
  }
  return { from: from?.toISOString(), to: to?.toISOString() };
}

/** Numbers pasted one a line (or separated by commas or semicolons), blanks dropped, each once. */
export function parsePhones(text: string): string[] {
  const numbers = text
    .split(/[\n\r,;]+/)
    .map((line) => line.trim())
    .filter(Boolean);
  return [...new Set(numbers)];
}

/** "1 min 5 s" / "42 s" pieces for a duration. */
export function splitDuration(seconds: number): { m: number; s: number } {
  return { m: Math.floor(seconds / 60), s: seconds % 60 };
}

/** A call list still changes while it runs, and while paused with a number being dialled. */
export function isLive(status: string, items: { in_progress: boolean }[]): boolean {
  return status === "running" || (status === "paused" && items.some((i) => i.in_progress));
}
