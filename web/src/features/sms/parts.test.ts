// @vitest-environment node
import { describe, expect, it } from "vitest";

import { smsParts } from "./parts";

describe("smsParts", () => {
  it("counts nothing for an empty text", () => {
    expect(smsParts("")).toEqual({ length: 0, encoding: "gsm7", parts: 0, remaining: 160 });
  });

  it("fits 160 GSM-7 characters in one SMS and splits longer texts by 153", () => {
    expect(smsParts("a".repeat(160))).toMatchObject({ parts: 1, remaining: 0 });
    expect(smsParts("a".repeat(161))).toMatchObject({ parts: 2, remaining: 306 - 161 });
    expect(smsParts("a".repeat(307))).toMatchObject({ parts: 3 });
  });

  it("counts an extension character as two", () => {
    expect(smsParts("€5")).toMatchObject({ encoding: "gsm7", length: 3 });
    expect(smsParts("€".repeat(80))).toMatchObject({ parts: 1, remaining: 0 });
    expect(smsParts("€".repeat(81))).toMatchObject({ parts: 2 });
  });

  it("switches to UCS-2 for a character outside GSM-7: 70, then 67 a part", () => {
    expect(smsParts("Привет")).toMatchObject({ encoding: "ucs2", length: 6, parts: 1, remaining: 64 });
    expect(smsParts("ç".repeat(70))).toMatchObject({ encoding: "ucs2", parts: 1 });
    expect(smsParts("ç".repeat(71))).toMatchObject({ parts: 2, remaining: 134 - 71 });
  });

  it("keeps French accents of the GSM alphabet in GSM-7", () => {
    expect(smsParts("Très bien, à demain é è")).toMatchObject({ encoding: "gsm7" });
  });

  it("counts an emoji as two UCS-2 units", () => {
    expect(smsParts("ok 👍")).toMatchObject({ encoding: "ucs2", length: 5 });
  });
});
