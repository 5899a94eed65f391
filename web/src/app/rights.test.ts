import { describe, expect, it } from "vitest";

import { rightsOf } from "./rights";

describe("rightsOf", () => {
  it("allows nothing before the profile has loaded", () => {
    const rights = rightsOf(undefined);
    expect(rights.loaded).toBe(false);
    expect(rights.can("leads_view")).toBe(false);
    expect(rights.can("admin")).toBe(false);
  });

  it("gives a custom group exactly its flags, and no admin screens", () => {
    const rights = rightsOf({ type: "custom", permissions: { leads_view: true, leads_delete: false } });
    expect(rights.can("leads_view")).toBe(true);
    expect(rights.can("leads_delete")).toBe(false);
    expect(rights.can("team_add")).toBe(false);
    expect(rights.can("admin")).toBe(false);
  });

  it("gives an admin group everything", () => {
    const rights = rightsOf({ type: "admin", permissions: {} });
    expect(rights.isAdmin).toBe(true);
    expect(rights.can("customers_delete")).toBe(true);
    expect(rights.can("admin")).toBe(true);
  });
});
