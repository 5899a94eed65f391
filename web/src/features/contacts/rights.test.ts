// @vitest-environment node
import { describe, expect, it } from "vitest";

import { rightsOf } from "../../app/rights";
import { canClosePoor, canConvert, canCreate, canDelete, canEdit, canSeeAll } from "./rights";

const trainee = rightsOf({ type: "trainee", permissions: {} });
const manager = rightsOf({
  type: "manager",
  permissions: { customers_create: true, customers_edit: true, customers_delete: true, customers_import_export: true },
});
const admin = rightsOf({ type: "admin", permissions: {} });

describe("contact rights, as the API applies them", () => {
  it("lets a trainee work their own and the pool's leads but not clients", () => {
    expect(canEdit("lead", { responsible_user_id: "me" }, "me", trainee)).toBe(true);
    expect(canEdit("lead", { responsible_user_id: null }, "me", trainee)).toBe(true);
    expect(canEdit("lead", { responsible_user_id: "other" }, "me", trainee)).toBe(false);
    expect(canDelete("lead", { responsible_user_id: "me" }, "me", trainee)).toBe(true);
    expect(canDelete("lead", { responsible_user_id: null }, "me", trainee)).toBe(false);
    expect(canClosePoor({ responsible_user_id: "other" }, "me", trainee)).toBe(false);
    expect(canConvert({ responsible_user_id: "me" }, "me", trainee)).toBe(false);
    expect(canEdit("client", { responsible_user_id: "me" }, "me", trainee)).toBe(false);
    expect(canDelete("client", { responsible_user_id: "me" }, "me", trainee)).toBe(false);
    expect(canCreate("client", trainee)).toBe(false);
    expect(canCreate("lead", trainee)).toBe(true);
    expect(canSeeAll("client", trainee)).toBe(false);
  });

  it("gives a manager their clients and converting, not other users' leads", () => {
    expect(canEdit("client", {}, "me", manager)).toBe(true);
    expect(canDelete("client", {}, "me", manager)).toBe(true);
    expect(canConvert({ responsible_user_id: "me" }, "me", manager)).toBe(true);
    expect(canEdit("lead", { responsible_user_id: "other" }, "me", manager)).toBe(false);
    expect(canSeeAll("lead", manager)).toBe(false);
  });

  it("gives an admin everything", () => {
    expect(canDelete("lead", { responsible_user_id: "other" }, "me", admin)).toBe(true);
    expect(canSeeAll("client", admin)).toBe(true);
    expect(canSeeAll("lead", admin)).toBe(true);
  });
});
