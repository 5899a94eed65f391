/** API helpers of the contacts and incoming call tests: tokens, a new team member, PBX events. */
import { createHmac, randomBytes } from "node:crypto";

import type { APIRequestContext } from "@playwright/test";

import { DEMO } from "./helpers";

export const PBX = { slug: "demo", secret: "demo-secret" };

export async function token(request: APIRequestContext, baseURL: string, who: { crm: string; email: string; password: string } = DEMO) {
  const login = await request.post(`${baseURL}/v1/auth/login`, { data: { crm: who.crm, email: who.email, password: who.password } });
  if (!login.ok()) throw new Error(`login failed: ${login.status()} ${await login.text()}`);
  return ((await login.json()) as { access_token: string }).access_token;
}

export const bearer = (access: string) => ({ Authorization: `Bearer ${access}` });

/** A new colleague in the demo CRM, through a shared invitation link accepted with an email. */
export async function newMember(request: APIRequestContext, baseURL: string, name: string) {
  const admin = await token(request, baseURL);
  const link = await request.post(`${baseURL}/v1/invitation-links`, { data: {}, headers: bearer(admin) });
  if (!link.ok()) throw new Error(`invitation link: ${link.status()} ${await link.text()}`);
  const { token: invitation } = (await link.json()) as { token: string };
  const email = `e2e-${Date.now()}-${randomBytes(3).toString("hex")}@example.com`;
  const password = "member-password-1";
  const accepted = await request.post(`${baseURL}/v1/invitations/accept`, { data: { token: invitation, name, password, email } });
  if (!accepted.ok()) throw new Error(`accept: ${accepted.status()} ${await accepted.text()}`);
  return { crm: DEMO.crm, email, password, name };
}

const SIGNED: Record<string, string[]> = {
  NOTIFY_START: ["caller_id", "called_did", "call_start"],
  NOTIFY_INTERNAL: ["caller_id", "called_did", "call_start"],
  NOTIFY_END: ["caller_id", "called_did", "call_start"],
  NOTIFY_ANSWER: ["caller_id", "destination", "call_start"],
};

/** Post one PBX event as Zadarma does: form-encoded, signed with the CRM's secret (replay.py). */
export async function pbxEvent(request: APIRequestContext, baseURL: string, fields: Record<string, string>) {
  const signString = (SIGNED[fields.event!] ?? []).map((name) => fields[name] ?? "").join("");
  const hex = createHmac("sha1", PBX.secret).update(signString).digest("hex");
  const signature = Buffer.from(hex).toString("base64");
  const response = await request.post(`${baseURL}/v1/webhooks/zadarma/${PBX.slug}`, {
    data: new URLSearchParams(fields).toString(),
    headers: { "Content-Type": "application/x-www-form-urlencoded", Signature: signature },
  });
  if (!response.ok()) throw new Error(`PBX event ${fields.event}: ${response.status()} ${await response.text()}`);
}

/** The events of an incoming call from `caller` answered by extension 100 (the demo user's). */
export function incomingCall(caller: string, extension = "100") {
  const start = new Intl.DateTimeFormat("sv-SE", {
    timeZone: "Europe/Paris",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).format(new Date());
  const pbx_call_id = `in_${randomBytes(20).toString("hex")}`;
  const base = { call_start: start, pbx_call_id, caller_id: caller, called_did: "33159000000" };
  return {
    start: { event: "NOTIFY_START", ...base },
    internal: { event: "NOTIFY_INTERNAL", ...base, internal: extension },
    answer: { event: "NOTIFY_ANSWER", caller_id: caller, destination: extension, call_start: start, pbx_call_id, internal: extension },
    end: { event: "NOTIFY_END", ...base, internal: extension, duration: "12", disposition: "answered", status_code: "16", is_recorded: "0" },
  };
}
