// @vitest-environment node
import { describe, expect, it } from "vitest";

import { ApiError } from "../../api/errors";
import { isAlreadyTaken, isStaleVersion, winnerName } from "./conflicts";

describe("409 handling", () => {
  it("tells a stale version from other errors", () => {
    expect(isStaleVersion(ApiError.from(409, { error: { code: "conflict", message: "stale version" } }))).toBe(true);
    expect(isStaleVersion(ApiError.from(409, { error: { code: "duplicate", message: "phone used" } }))).toBe(false);
    expect(isStaleVersion(ApiError.from(400, { error: { code: "validation_error", message: "x" } }))).toBe(false);
    expect(isStaleVersion(new Error("boom"))).toBe(false);
  });

  it("names who won the race when the lead read back says so", () => {
    const names = (id: string) => ({ u2: "Bob" })[id];
    expect(isAlreadyTaken(ApiError.from(409, { error: { code: "conflict", message: "taken" } }))).toBe(true);
    expect(winnerName({ responsible_user_id: "u2" }, names, "u1")).toBe("Bob");
    expect(winnerName({ responsible_user_id: "u3" }, names, "u1")).toBeUndefined();
    expect(winnerName({ responsible_user_id: null }, names, "u1")).toBeUndefined();
    expect(winnerName(undefined, names)).toBeUndefined();
    expect(winnerName({ responsible_user_id: "u1" }, names, "u1")).toBeUndefined();
  });
});
