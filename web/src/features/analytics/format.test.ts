// @vitest-environment node
import { describe, expect, it } from "vitest";

import { formats } from "./format";

describe("formats", () => {
  const en = formats("en");
  it("show counts, money, ratios and durations", () => {
    expect(en.count(12345)).toBe("12,345");
    expect(en.money({ amount: "1234.50", currency: "EUR" })).toBe("€1,234.50");
    expect(en.money({ amount: "3", currency: "XYZW" })).toBe("3 XYZW");
    expect(en.moneyShort({ amount: "10000.00", currency: "EUR" })).toBe("€10K");
    expect(en.percent(0.4567)).toBe("45.7%");
    expect(en.days(2.345)).toBe("2.3");
    expect(en.duration(3725)).toBe("1:02:05");
    expect(en.duration(59)).toBe("0:00:59");
  });
  it("label the buckets by their first day", () => {
    expect(en.bucket("2024-05-13", "day")).toBe("May 13");
    expect(en.bucket("2024-05-01", "month")).toBe("May 2024");
    expect(formats("fr").bucket("2024-05-13", "week")).toBe("13 mai");
  });
});
