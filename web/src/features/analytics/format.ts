/** Figures as the analytics pages show them (tables, summaries, chart labels): `Intl` in the UI language. */
import type { Interval } from "./period";

export interface Money {
  amount: string;
  currency: string;
}

export interface Formats {
  count(n: number): string;
  money(m: Money): string;
  /** Short, for a chart's axis ("€10K"). */
  moneyShort(m: Money): string;
  /** A ratio 0..1 as a percentage. */
  percent(ratio: number): string;
  days(n: number): string;
  /** Seconds as hours, minutes and seconds ("1:02:05"). */
  duration(seconds: number): string;
  /** A bucket's first day as its label ("15 May", "May 2024"). */
  bucket(date: string, interval: Interval): string;
  date(date: string): string;
}

export function formats(language: string): Formats {
  const count = new Intl.NumberFormat(language);
  const percent = new Intl.NumberFormat(language, { style: "percent", maximumFractionDigits: 1 });
  const days = new Intl.NumberFormat(language, { maximumFractionDigits: 1 });
  const two = new Intl.NumberFormat(language, { minimumIntegerDigits: 2 });
  const dayMonth = new Intl.DateTimeFormat(language, { day: "numeric", month: "short", timeZone: "UTC" });
  const monthYear = new Intl.DateTimeFormat(language, { month: "short", year: "numeric", timeZone: "UTC" });
  const full = new Intl.DateTimeFormat(language, { dateStyle: "medium", timeZone: "UTC" });
  const moneyFormats = new Map<string, Intl.NumberFormat>();
  const asDate = (date: string) => new Date(`${date}T00:00:00Z`);
  return {
    count: (n) => count.format(n),
    money: (m) => {
      let f = moneyFormats.get(m.currency);
      if (!f) {
        try {
          f = new Intl.NumberFormat(language, { style: "currency", currency: m.currency });
        } catch {
          return `${m.amount} ${m.currency}`;
        }
        moneyFormats.set(m.currency, f);
      }
      return f.format(Number(m.amount));
    },
    moneyShort: (m) => {
      try {
        return new Intl.NumberFormat(language, { style: "currency", currency: m.currency, notation: "compact" }).format(Number(m.amount));
      } catch {
        return `${m.amount} ${m.currency}`;
      }
    },
    percent: (ratio) => percent.format(ratio),
    days: (n) => days.format(n),
    duration: (seconds) => {
      const h = Math.floor(seconds / 3600);
      const m = Math.floor((seconds % 3600) / 60);
      const s = seconds % 60;
      return `${h}:${two.format(m)}:${two.format(s)}`;
    },
    bucket: (date, interval) => (interval === "month" ? monthYear : dayMonth).format(asDate(date)),
    date: (date) => full.format(asDate(date)),
  };
}
