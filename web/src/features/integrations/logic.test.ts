// @vitest-environment node
import { describe, expect, it } from "vitest";

import { calendarState, callbackResult, fillSnippet, originsField, parseOrigins } from "./logic";

describe("fillSnippet", () => {
  const html = `<form data-key="crm_01ABC_PASTE-THE-REST-OF-YOUR-KEY"></form><script>h["X-Api-Key"]="crm_01ABC_PASTE-THE-REST-OF-YOUR-KEY"</script>`;

  it("puts the whole key in place of every placeholder", () => {
    const out = fillSnippet(html, "crm_01ABC", "crm_01ABC_s3cret");
    expect(out.filled).toBe(true);
    expect(out.html).not.toContain("PASTE-THE-REST");
    expect(out.html.match(/crm_01ABC_s3cret/g)).toHaveLength(2);
  });

  it("leaves the snippet as it is without the key, or with another key", () => {
    expect(fillSnippet(html, "crm_01ABC", undefined)).toEqual({ html, filled: false });
    expect(fillSnippet(html, "crm_01ABC", "crm_01XYZ_other")).toEqual({ html, filled: false });
  });

  it("does not claim to fill a snippet without the placeholder", () => {
    expect(fillSnippet("<form></form>", "crm_01ABC", "crm_01ABC_s").filled).toBe(false);
  });
});

describe("parseOrigins", () => {
  it("splits on lines, commas and spaces, trims trailing slashes, drops duplicates", () => {
    expect(parseOrigins(" https://a.example/\nhttps://b.example, https://a.example \n\n")).toEqual([
      "https://a.example",
      "https://b.example",
    ]);
  });

  it("is empty for blank text", () => {
    expect(parseOrigins("  \n ")).toEqual([]);
  });

  it("maps an item's error to the field", () => {
    expect(originsField("allowed_origins.1")).toBe("allowed_origins");
    expect(originsField("name")).toBe("name");
    expect(originsField(undefined)).toBeUndefined();
  });
});

describe("callbackResult", () => {
  it("reads and removes google=", () => {
    expect(callbackResult("?google=connected")).toEqual({ result: "connected", rest: "" });
    expect(callbackResult("?x=1&google=error")).toEqual({ result: "error", rest: "?x=1" });
    expect(callbackResult("?google=other")).toEqual({ result: null, rest: "" });
    expect(callbackResult("")).toEqual({ result: null, rest: "" });
  });
});

describe("calendarState", () => {
  it("follows the connection and its status", () => {
    expect(calendarState({ connected: false, status: null })).toBe("disconnected");
    expect(calendarState({ connected: true, status: "ok" })).toBe("ok");
    expect(calendarState({ connected: true, status: null })).toBe("ok");
    expect(calendarState({ connected: true, status: "needs_reauth" })).toBe("needs_reauth");
    expect(calendarState({ connected: true, status: "error" })).toBe("error");
  });
});
