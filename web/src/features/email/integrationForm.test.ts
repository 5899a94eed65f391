// @vitest-environment node
import { describe, expect, it } from "vitest";

import { bareAddress, replySubject, splitAddresses, usableBy } from "./api";
import { frameDocument } from "./HtmlFrame";
import {
  applyPreset,
  createBody,
  emptyValues,
  inputFor,
  patchBody,
  valuesOf,
  withEmail,
  type Integration,
  type Preset,
} from "./integrationForm";

const gmail: Preset = {
  id: "gmail",
  name: "Gmail",
  imap: { host: "imap.gmail.com", port: 993, security: "ssl" },
  smtp: { host: "smtp.gmail.com", port: 587, security: "starttls" },
  note: "An app password",
};

const saved: Integration = {
  id: "i1",
  name: "Sales",
  email: "sales@example.com",
  imap: { host: "imap.example.com", port: 993, security: "ssl", username: "sales@example.com" },
  smtp: { host: "smtp.example.com", port: 465, security: "ssl", username: "sales@example.com" },
  shared_with: "all",
  create_leads: "received",
  owner_id: "u1",
  status: "ok",
  last_sync_at: null,
  last_error: null,
  messages: 3,
  created_at: "2026-12-01T10:00:00Z",
  version: 4,
};

describe("the mailbox form", () => {
  it("fills both servers from a preset and keeps the login", () => {
    const values = applyPreset(withEmail(emptyValues(), "me@gmail.com"), gmail);
    expect(values.preset).toBe("gmail");
    expect(values.imap).toMatchObject({ host: "imap.gmail.com", port: "993", security: "ssl", username: "me@gmail.com" });
    expect(values.smtp).toMatchObject({ host: "smtp.gmail.com", port: "587", security: "starttls", username: "me@gmail.com" });
    expect(applyPreset(values, undefined).imap.host).toBe("imap.gmail.com");
  });

  it("lets the username follow the address until it is typed", () => {
    let values = withEmail(emptyValues(), "a@x.com");
    values = withEmail(values, "ab@x.com");
    expect(values.imap.username).toBe("ab@x.com");
    values = { ...values, imap: { ...values.imap, username: "custom" } };
    expect(withEmail(values, "abc@x.com").imap.username).toBe("custom");
  });

  it("sends the IMAP login to SMTP when both share it, and sharing only for those who may", () => {
    const values = {
      ...applyPreset(withEmail(emptyValues(), "me@gmail.com"), gmail),
      name: " Me ",
      imap: { host: "imap.gmail.com", port: "993", security: "ssl" as const, username: "me@gmail.com", password: "pw" },
      sharing: "all" as const,
    };
    const body = createBody(values, false);
    expect(body.name).toBe("Me");
    expect(body.smtp).toEqual({ host: "smtp.gmail.com", port: 587, security: "starttls", username: "me@gmail.com", password: "pw" });
    expect(body).not.toHaveProperty("shared_with");
    expect(createBody(values, true).shared_with).toBe("all");
    expect(createBody({ ...values, sharing: "chosen", users: ["u2"] }, true).shared_with).toEqual(["u2"]);
    expect(Number.isNaN(createBody({ ...values, imap: { ...values.imap, port: "99x" } }, false).imap.port)).toBe(true);
  });

  it("patches only what changed; passwords only when typed", () => {
    const values = valuesOf(saved);
    expect(values.sharing).toBe("all");
    expect(values.imap.password).toBe("");
    expect(patchBody(saved, values, true)).toEqual({ version: 4 });
    const changed = { ...values, name: "Sales team", smtp: { ...values.smtp, port: "587", security: "starttls" as const } };
    expect(patchBody(saved, changed, true)).toEqual({ version: 4, name: "Sales team", smtp: { port: 587, security: "starttls" } });
    const password = { ...values, imap: { ...values.imap, password: "new" } };
    expect(patchBody(saved, password, true)).toEqual({ version: 4, imap: { password: "new" }, smtp: { password: "new" } });
    expect(patchBody(saved, { ...values, sharing: "personal" }, true)).toEqual({ version: 4, shared_with: [] });
    expect(patchBody(saved, { ...values, sharing: "personal" }, false)).toEqual({ version: 4 });
  });

  it("shows each API error on the input that holds it", () => {
    expect(inputFor("imap.host", true)).toBe("imap.host");
    expect(inputFor("smtp.password", true)).toBe("imap.password");
    expect(inputFor("smtp.password", false)).toBe("smtp.password");
    expect(inputFor("smtp", false)).toBe("smtp.host");
    expect(inputFor("shared_with[1]", true)).toBe("shared_with");
    expect(inputFor("limit", true)).toBeUndefined();
    expect(inputFor(undefined, true)).toBeUndefined();
  });
});

describe("email helpers", () => {
  it("offers only the mailboxes one may send from", () => {
    const mine = { ...saved, id: "a", owner_id: "me", shared_with: [] };
    const other = { ...saved, id: "b", owner_id: "u9", shared_with: [] };
    const chosen = { ...saved, id: "c", owner_id: "u9", shared_with: ["me"] };
    const all = { ...saved, id: "d", owner_id: "u9", shared_with: "all" };
    expect(usableBy([mine, other, chosen, all], "me").map((i) => i.id)).toEqual(["a", "c", "d"]);
    expect(usableBy([mine], undefined)).toEqual([]);
  });

  it("splits addresses, prefixes replies once, reads bare addresses", () => {
    expect(splitAddresses(" a@x.com, b@y.org;c@z.net ,, ")).toEqual(["a@x.com", "b@y.org", "c@z.net"]);
    expect(replySubject("Quote")).toBe("Re: Quote");
    expect(replySubject("RE: Quote")).toBe("RE: Quote");
    expect(bareAddress("Ann Smith <ann@x.com>")).toBe("ann@x.com");
    expect(bareAddress("ann@x.com")).toBe("ann@x.com");
  });

  it("frames outside HTML with a policy that loads nothing remote", () => {
    const doc = frameDocument('<img src="https://tracker.example/p.gif">');
    expect(doc).toContain("default-src 'none'");
    expect(doc).toContain("img-src data:");
    expect(doc).toContain('<img src="https://tracker.example/p.gif">');
  });
});
