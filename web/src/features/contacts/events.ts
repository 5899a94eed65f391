/**
 * The sentence a feed line tells for an event (CL-7): the API writes `data.event` on contact
 * events ("created", "updated", "assigned", "taken", "converted", "form_submitted"), on task lines
 * ("created", "linked", "completed", "reopened", "rescheduled"), on deal lines ("created") and on
 * a scheduled SMS's line ("sms_sent", "sms_failed"). An event this app does not know yet gets a
 * neutral sentence, never the raw code.
 */
import type { TFunction } from "i18next";

export interface EventEntry {
  kind: string;
  data: Record<string, unknown>;
}

/** The user's name from an id (undefined while loading or for an unknown user). */
export type NameOf = (id: string | null | undefined) => string | undefined;

const SOURCES = ["manual", "call_incoming", "call_outgoing", "sms", "email", "form", "import", "api", "zapier"] as const;
type Source = (typeof SOURCES)[number];

/** The label of a field an edit changed, as the card names it (a custom property: its key). */
const FIELDS: Record<string, string> = {
  name: "contacts.card.name",
  status: "contacts.filters.status",
  type: "contacts.filters.type",
  phones: "contacts.card.phones",
  emails: "contacts.card.emails",
  address: "contacts.card.address",
  website: "contacts.card.website",
  comment: "contacts.card.comment",
  tags: "contacts.card.tags",
  source_tag_ids: "contacts.card.sourceTags",
  properties: "contacts.card.properties",
  lead_status: "contacts.leads.status",
  responsible_user_id: "contacts.card.responsible",
};

const str = (value: unknown): string | undefined => (typeof value === "string" && value ? value : undefined);

export function changedFields(data: Record<string, unknown>, t: TFunction): string {
  const changes = Array.isArray(data.changes) ? (data.changes as unknown[]) : [];
  const names = changes
    .map((c) => (c && typeof c === "object" ? str((c as { field?: unknown }).field) : undefined))
    .filter((f): f is string => Boolean(f))
    .map((f) => (FIELDS[f] ? t(FIELDS[f] as "contacts.card.name") : f));
  return names.join(", ");
}

/** The sentence of an event line, or undefined when the line is not an event (a note, a call…). */
export function eventSentence(entry: EventEntry, t: TFunction, nameOf: NameOf): string | undefined {
  const data = entry.data ?? {};
  const event = str(data.event);
  const title = str(data.title) ?? "";
  const someone = t("contacts.feed.events.someone");
  const who = (id: unknown) => (typeof id === "string" && id ? (nameOf(id) ?? someone) : someone);
  switch (entry.kind) {
    case "event":
      return contactEvent(event, data, t, who);
    case "task":
      switch (event) {
        case "created":
        case "linked":
        case "completed":
        case "reopened":
        case "rescheduled":
          return t(`contacts.feed.events.task.${event}`, { title });
        default:
          return t("contacts.feed.events.task.other", { title });
      }
    case "deal":
      return event === "created" ? t("contacts.feed.events.deal.created", { title }) : t("contacts.feed.events.deal.other", { title });
    case "sms":
      if (event === "sms_sent") return t("contacts.feed.events.sms.sent", { phone: str(data.phone) ?? "" });
      if (event === "sms_failed") return t("contacts.feed.events.sms.failed", { phone: str(data.phone) ?? "", reason: str(data.reason) ?? "" });
      return undefined;
    default:
      return undefined;
  }
}

function contactEvent(event: string | undefined, data: Record<string, unknown>, t: TFunction, who: (id: unknown) => string): string {
  switch (event) {
    case "created": {
      if (data.import_id) return t("contacts.feed.events.createdByImport", { file: str(data.filename) ?? "" });
      const source = str(data.source);
      if (source && (SOURCES as readonly string[]).includes(source)) {
        return t("contacts.feed.events.createdFrom", { source: t(`contacts.feed.events.sources.${source as Source}`) });
      }
      return t("contacts.feed.events.created");
    }
    case "updated": {
      const fields = changedFields(data, t);
      if (data.undo) return t("contacts.feed.events.undone", { fields });
      if (data.import_id) return t("contacts.feed.events.updatedByImport", { fields });
      return fields ? t("contacts.feed.events.updated", { fields }) : t("contacts.feed.events.updatedNothing");
    }
    case "assigned":
      if (!data.to) return t("contacts.feed.events.unassigned", { from: who(data.from) });
      return data.from
        ? t("contacts.feed.events.reassigned", { from: who(data.from), to: who(data.to) })
        : t("contacts.feed.events.assigned", { to: who(data.to) });
    case "taken":
      return t("contacts.feed.events.taken", { who: who(data.to) });
    case "converted":
      return t("contacts.feed.events.converted");
    case "form_submitted":
      return t("contacts.feed.events.formSubmitted");
    default:
      return t("contacts.feed.events.unknown");
  }
}
