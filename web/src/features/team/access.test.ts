// @vitest-environment node
import { describe, expect, it } from "vitest";

import { rightsOf } from "../../app/rights";
import {
  callOffer,
  canActivate,
  canDeactivate,
  changedRights,
  deleteBlock,
  editBlock,
  movableGroups,
  parseEmails,
  type Group,
  type User,
} from "./access";

const group = (id: string, type: string, permissions: Record<string, boolean> = {}) =>
  ({ id, type, title: id, permissions, version: 1 }) as Group;
const GROUPS = [group("g-admin", "admin"), group("g-manager", "manager"), group("g-custom", "custom")];
const user = (id: string, group_id: string, extra: Partial<User> = {}) =>
  ({ id, name: id, group_id, status: "active", extension: "101", ...extra }) as User;

const admin = rightsOf({ type: "admin", permissions: {} });
const editor = rightsOf({ type: "custom", permissions: { team_edit: true } });
const trainee = rightsOf({ type: "trainee", permissions: { customers_create: true } });

describe("team rights", () => {
  it("editing needs team_edit, and an admin target needs an administrator", () => {
    expect(editBlock(trainee, GROUPS, user("u", "g-manager"))).toBe("team.users.noEditRight");
    expect(editBlock(editor, GROUPS, user("u", "g-manager"))).toBeNull();
    expect(editBlock(editor, GROUPS, user("u", "g-admin"))).toBe("team.users.adminOnly");
    expect(editBlock(admin, GROUPS, user("u", "g-admin"))).toBeNull();
  });

  it("nobody deactivates themselves; activate only the deactivated", () => {
    const me = { id: "me", extension: "100" };
    expect(canDeactivate(admin, GROUPS, me, user("me", "g-admin"))).toBe(false);
    expect(canDeactivate(admin, GROUPS, me, user("u", "g-manager"))).toBe(true);
    expect(canDeactivate(admin, GROUPS, me, user("u", "g-manager", { status: "deactivated" }))).toBe(false);
    expect(canActivate(admin, GROUPS, user("u", "g-manager", { status: "deactivated" }))).toBe(true);
    expect(canActivate(trainee, GROUPS, user("u", "g-manager", { status: "deactivated" }))).toBe(false);
  });

  it("only an administrator moves someone into the admin group", () => {
    expect(movableGroups(editor, GROUPS).map((g) => g.id)).toEqual(["g-manager", "g-custom"]);
    expect(movableGroups(admin, GROUPS)).toHaveLength(3);
  });

  it("call a colleague: not deactivated, with an extension, not oneself; needs one's own extension", () => {
    expect(callOffer({ id: "me", extension: "100" }, user("u", "g", { extension: "101" }))).toBe("ok");
    expect(callOffer({ id: "me", extension: null }, user("u", "g"))).toBe("team.users.noExtension");
    expect(callOffer({ id: "me", extension: "100" }, user("me", "g"))).toBe("hidden");
    expect(callOffer({ id: "me", extension: "100" }, user("u", "g", { extension: null }))).toBe("hidden");
    expect(callOffer({ id: "me", extension: "100" }, user("u", "g", { status: "invited" }))).toBe("ok");
    expect(callOffer({ id: "me", extension: "100" }, user("u", "g", { status: "deactivated" }))).toBe("hidden");
  });

  it("the matrix sends only the rights that changed", () => {
    expect(changedRights({ customers_create: true, team_add: false }, { customers_create: true, team_add: true })).toEqual({
      team_add: true,
    });
    expect(changedRights({ customers_create: true }, { customers_create: false, leads_view: false })).toEqual({
      customers_create: false,
    });
    expect(changedRights({}, {})).toEqual({});
  });

  it("only empty custom groups can be deleted", () => {
    expect(deleteBlock(group("g", "manager"), 0)).toBe("team.groups.standardKept");
    expect(deleteBlock(group("g", "custom"), 2)).toBe("team.groups.notEmpty");
    expect(deleteBlock(group("g", "custom"), 0)).toBeNull();
  });

  it("parses pasted emails", () => {
    expect(parseEmails(" a@x.fr, b@y.fr\nc@z.fr;a@x.fr \n")).toEqual(["a@x.fr", "b@y.fr", "c@z.fr"]);
  });
});
