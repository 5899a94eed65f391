/**
 * The mailbox form's logic, kept pure for Vitest: a preset fills both servers, the values become
 * the API's body (passwords are write-only: sent only when typed; one login for both servers by
 * default), and the field an API error names becomes the input that shows it.
 */
import type { Schemas } from "../../api/client";

export type Security = "ssl" | "starttls" | "none";
export type CreateLeads = "none" | "received" | "received_and_sent";
export type Sharing = "personal" | "all" | "chosen";
export const SECURITIES: Security[] = ["ssl", "starttls", "none"];
export const CREATE_LEADS: CreateLeads[] = ["none", "received", "received_and_sent"];

export type Integration = Schemas["IntegrationOut"];
export type Preset = Schemas["PresetOut"];

export interface ServerValues {
  host: string;
  port: string;
  security: Security;
  username: string;
  password: string;
}

export interface IntegrationValues {
  name: string;
  email: string;
  preset: string;
  imap: ServerValues;
  smtp: ServerValues;
  /** The SMTP server takes the IMAP username and password. */
  sameLogin: boolean;
  sharing: Sharing;
  users: string[];
  create_leads: CreateLeads;
}

const server = (port: string, security: Security): ServerValues => ({ host: "", port, security, username: "", password: "" });

export function emptyValues(): IntegrationValues {
  return {
    name: "",
    email: "",
    preset: "",
    imap: server("993", "ssl"),
    smtp: server("465", "ssl"),
    sameLogin: true,
    sharing: "personal",
    users: [],
    create_leads: "none",
  };
}

const asSecurity = (value: string): Security => (SECURITIES.includes(value as Security) ? (value as Security) : "ssl");

/** The saved integration as form values (passwords empty: they are never returned). */
export function valuesOf(integration: Integration): IntegrationValues {
  const side = (s: Integration["imap"]): ServerValues => ({
    host: s.host,
    port: String(s.port),
    security: asSecurity(s.security),
    username: s.username,
    password: "",
  });
  const shared = integration.shared_with;
  return {
    name: integration.name,
    email: integration.email,
    preset: "",
    imap: side(integration.imap),
    smtp: side(integration.smtp),
    sameLogin: integration.imap.username === integration.smtp.username,
    sharing: shared === "all" ? "all" : Array.isArray(shared) && shared.length > 0 ? "chosen" : "personal",
    users: Array.isArray(shared) ? shared : [],
    create_leads: CREATE_LEADS.includes(integration.create_leads as CreateLeads) ? (integration.create_leads as CreateLeads) : "none",
  };
}

/** A provider's hosts, ports and security on both sides; "" (custom) keeps what was typed. */
export function applyPreset(values: IntegrationValues, preset: Preset | undefined): IntegrationValues {
  if (!preset) return { ...values, preset: "" };
  const side = (before: ServerValues, given: Preset["imap"]): ServerValues => ({
    ...before,
    host: given.host,
    port: String(given.port),
    security: asSecurity(given.security),
  });
  return { ...values, preset: preset.id, imap: side(values.imap, preset.imap), smtp: side(values.smtp, preset.smtp) };
}

/** The address typed becomes the username while the username still follows it. */
export function withEmail(values: IntegrationValues, email: string): IntegrationValues {
  const follow = (s: ServerValues) => (s.username === "" || s.username === values.email ? { ...s, username: email } : s);
  return { ...values, email, imap: follow(values.imap), smtp: follow(values.smtp) };
}

function sharedWith(values: IntegrationValues): "all" | string[] {
  if (values.sharing === "all") return "all";
  return values.sharing === "chosen" ? values.users : [];
}

const port = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN);

/** POST body: everything; the SMTP login copied from IMAP when `sameLogin`. */
export function createBody(values: IntegrationValues, canShare: boolean): Schemas["IntegrationIn"] {
  const smtpLogin = values.sameLogin ? values.imap : values.smtp;
  return {
    name: values.name.trim(),
    email: values.email.trim(),
    imap: { host: values.imap.host.trim(), port: port(values.imap.port), security: values.imap.security, username: values.imap.username, password: values.imap.password },
    smtp: { host: values.smtp.host.trim(), port: port(values.smtp.port), security: values.smtp.security, username: smtpLogin.username, password: smtpLogin.password },
    ...(canShare ? { shared_with: sharedWith(values) } : {}),
    create_leads: values.create_leads,
  };
}

/** PATCH body: only what changed; passwords only when typed again. */
export function patchBody(before: Integration, values: IntegrationValues, canShare: boolean): Schemas["IntegrationPatch"] {
  const full = createBody(values, canShare);
  const side = (was: Integration["imap"], now: Schemas["ServerIn"], typed: string): Schemas["ServerPatch"] | null => {
    const patch: Schemas["ServerPatch"] = {};
    if (now.host !== was.host) patch.host = now.host;
    if (now.port !== was.port) patch.port = now.port;
    if (now.security !== was.security) patch.security = now.security as Security;
    if (now.username !== was.username) patch.username = now.username;
    if (typed) patch.password = typed;
    return Object.keys(patch).length > 0 ? patch : null;
  };
  const imap = side(before.imap, full.imap, values.imap.password);
  const smtp = side(before.smtp, full.smtp, values.sameLogin ? values.imap.password : values.smtp.password);
  const body: Schemas["IntegrationPatch"] = { version: before.version };
  if (full.name !== before.name) body.name = full.name;
  if (full.email !== before.email) body.email = full.email;
  if (imap) body.imap = imap;
  if (smtp) body.smtp = smtp;
  if (canShare && JSON.stringify(full.shared_with) !== JSON.stringify(before.shared_with)) body.shared_with = full.shared_with ?? [];
  if (full.create_leads !== before.create_leads) body.create_leads = full.create_leads;
  return body;
}

/** The form's inputs, by the API's field names. */
export const FIELDS = [
  "name",
  "email",
  "imap", "imap.host", "imap.port", "imap.security", "imap.username", "imap.password",
  "smtp", "smtp.host", "smtp.port", "smtp.security", "smtp.username", "smtp.password",
  "shared_with",
  "create_leads",
] as const;

/**
 * The input that shows an error the API names: `shared_with[2]` on the users, a bare `imap` on its
 * host, and with one login for both servers the SMTP login's errors on the IMAP inputs.
 */
export function inputFor(field: string | undefined, sameLogin: boolean): string | undefined {
  if (!field) return undefined;
  if (field.startsWith("shared_with")) return "shared_with";
  if (field === "imap" || field === "smtp") return `${field}.host`;
  if (sameLogin && (field === "smtp.username" || field === "smtp.password")) return field.replace("smtp.", "imap.");
  return (FIELDS as readonly string[]).includes(field) ? field : undefined;
}
