// @vitest-environment node
import { describe, expect, it } from "vitest";

import { activeFilterCount, apiQuery, filtersFromSearch, filtersToSearch, localDayStart } from "./filters";

describe("contact list filters", () => {
  it("round-trips through the page address, properties included", () => {
    const search = new URLSearchParams(
      "scope=all&tag=vip&type=partner&property.industry=dental&property.size=10&created_from=2026-01-02&junk=1",
    );
    const filters = filtersFromSearch(search);
    expect(filters).toEqual({
      scope: "all",
      tag: "vip",
      type: "partner",
      created_from: "2026-01-02",
      properties: { industry: "dental", size: "10" },
    });
    expect(filtersToSearch(filters).toString()).toBe(
      "scope=all&tag=vip&type=partner&created_from=2026-01-02&property.industry=dental&property.size=10",
    );
    expect(activeFilterCount(filters)).toBe(5);
  });

  it("drops empty values and malformed dates", () => {
    const filters = filtersFromSearch(new URLSearchParams("tag=&q=%20&created_to=yesterday&property.x="));
    expect(filters).toEqual({ properties: {} });
    expect(filtersToSearch({ properties: { a: " " }, tag: "" }).toString()).toBe("");
  });

  it("sends whole local days as times with an offset, the end day included", () => {
    const query = new URLSearchParams(apiQuery({ created_from: "2026-03-01", created_to: "2026-03-31", properties: {} }));
    expect(query.get("created_from")).toBe(localDayStart("2026-03-01"));
    expect(query.get("created_to")).toBe(localDayStart("2026-04-01"));
    expect(new Date(query.get("created_to")!).getTime() - new Date(localDayStart("2026-03-31")).getTime()).toBeGreaterThanOrEqual(
      23 * 3600_000,
    );
    expect(query.get("limit")).toBe("25");
  });

  it("adds the cursor and keeps a one-letter search back", () => {
    const query = new URLSearchParams(apiQuery({ q: "a", scope: "unsorted", properties: {} }, "abc", 50));
    expect(query.get("q")).toBeNull();
    expect(query.get("cursor")).toBe("abc");
    expect(query.get("limit")).toBe("50");
    expect(query.get("scope")).toBe("unsorted");
    expect(new URLSearchParams(apiQuery({ q: "ac", properties: {} })).get("q")).toBe("ac");
  });
});
