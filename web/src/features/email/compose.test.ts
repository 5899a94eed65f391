// @vitest-environment node
import { describe, expect, it } from "vitest";

import { handedOver } from "./Broadcasts";
import { composeField } from "./EmailCompose";

describe("compose and broadcast helpers", () => {
  it("shows an error on the list an indexed field belongs to", () => {
    expect(composeField("to[1]")).toBe("to");
    expect(composeField("cc[0]")).toBe("cc");
    expect(composeField("subject")).toBe("subject");
    expect(composeField("in_reply_to")).toBeUndefined();
    expect(composeField(undefined)).toBeUndefined();
  });

  it("takes the selection handed over by the bulk bar, and nothing else", () => {
    expect(handedOver({ contacts: [{ id: "a", name: "Ann", kind: "lead" }, { id: 3 }, null] })).toEqual([{ id: "a", name: "Ann", kind: "lead" }]);
    expect(handedOver(null)).toEqual([]);
    expect(handedOver({ contacts: "x" })).toEqual([]);
  });
});

describe("own domains", () => {
  it("reads one domain per line or comma, without @, in lower case", async () => {
    const { parseDomains } = await import("./ExceptionsPage");
    expect(parseDomains(" Example.com\n@acme.org, b.net;;\n")).toEqual(["example.com", "acme.org", "b.net"]);
    expect(parseDomains("  ")).toEqual([]);
  });
});
