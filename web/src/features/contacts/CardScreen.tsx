/**
 * A client's or lead's card (/clients/:id, /leads/:id): the fields, edited with the record's
 * `version` (a 409 says someone else saved first: reload), the activity feed with notes and
 * calls, the contact's deals and tasks, and the actions (call, note, task, deal).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";

import { unwrap } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useRights } from "../../app/rights";
import { useApi, useMe } from "../../app/session";
import { Field, Form, FormError, useFormErrors } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { collection, getCard, keys, patchContact, useCard, useProperties, useSourceTags, useUserNames, type Card, type Kind } from "./api";
import { isStaleVersion } from "./conflicts";
import { canConvert, canDelete, canEdit } from "./rights";
import { Feed } from "./Feed";
import { SmsForm } from "./SmsForm";
import { EmailCompose } from "../email/EmailCompose";
import { ClickToCall } from "../calls/ClickToCall";
import { TaskDialog } from "../tasks/TaskDialog";
import { useCompleteTask, type Task } from "../tasks/hooks";
import "../tasks/tasks.css";
import { SelectField, TextAreaField, formatDateTime } from "./widgets";
import "./contacts.css";

const CHANNELS = ["work", "mobile", "home", "personal", "other"] as const;
type Channel = (typeof CHANNELS)[number];

export function ClientCardPage() {
  const { id = "" } = useParams();
  return <CardScreen kind="client" id={id} />;
}

export function LeadCardPage() {
  const { id = "" } = useParams();
  return <CardScreen kind="lead" id={id} />;
}

function CardScreen({ kind, id }: { kind: Kind; id: string }) {
  const card = useCard(kind, id);
  return <QueryState query={card}>{(data) => <CardView kind={kind} card={data} />}</QueryState>;
}

type Panel = "note" | "task" | "deal" | "sms" | "email" | null;

function CardView({ kind, card }: { kind: Kind; card: Card }) {
  const { t } = useTranslation();
  const api = useApi();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [panel, setPanel] = useState<Panel>(null);
  const [sent, setSent] = useState<string>();
  const [mailed, setMailed] = useState<string>();
  const noteBox = useRef<HTMLTextAreaElement>(null);
  const nameOf = useUserNames();
  const call = useMutation({
    mutationFn: () => unwrap(api.POST("/v1/calls", { body: { contact_id: card.id } })),
  });
  const rights = useRights();
  const me = useMe().data?.id;
  const remove = useMutation({
    mutationFn: async () => {
      if (kind === "client") await unwrap(api.DELETE("/v1/clients/{client_id}", { params: { path: { client_id: card.id } } }));
      else await unwrap(api.DELETE("/v1/leads/{lead_id}", { params: { path: { lead_id: card.id } } }));
    },
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: keys.lists(kind) });
      void navigate(`/${collection(kind)}`);
    },
  });
  const convert = useMutation({
    mutationFn: () => unwrap(api.POST("/v1/leads/{lead_id}/close", { params: { path: { lead_id: card.id } }, body: { outcome: "client" } })),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ["leads"] });
      await client.invalidateQueries({ queryKey: ["clients"] });
      void navigate(`/clients/${card.id}`);
    },
  });

  return (
    <div className="contacts">
      <p>
        <Link to={`/${collection(kind)}`}>{t("contacts.card.back")}</Link>
      </p>
      <h1>
        {card.name} <span className="muted">· {t(`contacts.card.${kind}`)}</span>
      </h1>
      <div className="card-actions" role="group" aria-label={t("contacts.card.actions")}>
        <button type="button" className="button button--primary" disabled={call.isPending} onClick={() => call.mutate()}>
          {t("contacts.card.call")}
        </button>
        <button
          type="button"
          className="button"
          onClick={() => {
            setPanel(null);
            noteBox.current?.focus();
          }}
        >
          {t("contacts.card.newNote")}
        </button>
        <button type="button" className="button" aria-expanded={panel === "sms"} onClick={() => setPanel(panel === "sms" ? null : "sms")}>
          {t("contacts.card.sms")}
        </button>
        <button type="button" className="button" aria-expanded={panel === "email"} onClick={() => setPanel(panel === "email" ? null : "email")}>
          {t("email.compose.action")}
        </button>
        <button type="button" className="button" aria-expanded={panel === "task"} onClick={() => setPanel(panel === "task" ? null : "task")}>
          {t("contacts.card.newTask")}
        </button>
        {kind === "client" && rights.can("customers_create") && (
          <button type="button" className="button" aria-expanded={panel === "deal"} onClick={() => setPanel(panel === "deal" ? null : "deal")}>
            {t("contacts.card.newDeal")}
          </button>
        )}
        {kind === "lead" && canConvert(card, me, rights) && (
          <button type="button" className="button" disabled={convert.isPending} onClick={() => convert.mutate()}>
            {t("contacts.leads.closeClient")}
          </button>
        )}
        {canDelete(kind, card, me, rights) && (
          <button
            type="button"
            className="button button--danger"
            disabled={remove.isPending}
            onClick={() => {
              if (window.confirm(t("contacts.card.confirmDelete", { name: card.name }))) remove.mutate();
            }}
          >
            {t("contacts.card.delete")}
          </button>
        )}
      </div>
      <div role="status" className="contacts__notice">
        {call.isSuccess ? t("contacts.card.calling", { to: call.data.to }) : null}
        {sent ? t("contacts.sms.sent", { to: sent }) : null}
        {mailed ? t("email.compose.sent", { to: mailed }) : null}
      </div>
      {call.isError && (
        <p role="alert" className="form-error">
          {isApiError(call.error) ? call.error.message : t("errors.unexpected")}
        </p>
      )}
      {remove.isError && (
        <p role="alert" className="form-error">
          {isApiError(remove.error) ? remove.error.message : t("errors.unexpected")}
        </p>
      )}
      {convert.isError && (
        <p role="alert" className="form-error">
          {isApiError(convert.error) ? convert.error.message : t("errors.unexpected")}
        </p>
      )}
      {panel === "sms" && (
        <SmsForm
          kind={kind}
          contactId={card.id}
          onDone={(to) => {
            setPanel(null);
            setSent(to);
          }}
        />
      )}
      {panel === "email" && (
        <EmailCompose
          target={{ contact: { kind, id: card.id } }}
          to={card.emails.slice(0, 1).map((e) => e.email)}
          title={t("email.compose.title")}
          onCancel={() => setPanel(null)}
          onDone={(to) => {
            setPanel(null);
            setMailed(to);
          }}
        />
      )}
      {panel === "task" && <TaskForm kind={kind} contactId={card.id} onDone={() => setPanel(null)} />}
      {panel === "deal" && <DealForm clientId={card.id} onDone={() => setPanel(null)} />}
      <div className="card-layout">
        <div>
          <section className="panel" aria-labelledby="details-heading">
            <h2 id="details-heading">{t("contacts.card.details")}</h2>
            {editing ? (
              <EditForm kind={kind} card={card} onDone={() => setEditing(false)} />
            ) : (
              <Details
                card={card}
                kind={kind}
                responsible={nameOf(card.responsible_user_id)}
                onEdit={canEdit(kind, card, me, rights) ? () => setEditing(true) : undefined}
              />
            )}
          </section>
          <Deals clientId={card.id} />
          <Tasks kind={kind} contactId={card.id} />
        </div>
        <Feed kind={kind} id={card.id} noteBox={noteBox} />
      </div>
    </div>
  );
}

/** The fields; `onEdit` absent: the caller may not edit this record, and is told why. */
function Details({ card, kind, responsible, onEdit }: { card: Card; kind: Kind; responsible: string | undefined; onEdit?: () => void }) {
  const { t } = useTranslation();
  const properties = useProperties();
  const sources = useSourceTags();
  const none = t("contacts.card.none");
  const propertyEntries = Object.entries(card.properties ?? {});
  return (
    <>
      <dl className="details">
        <dt>{t("contacts.filters.type")}</dt>
        <dd>{t(`contacts.enums.type.${card.type}` as "contacts.enums.type.client")}</dd>
        <dt>{t("contacts.filters.status")}</dt>
        <dd>{t(`contacts.enums.status.${card.status}` as "contacts.enums.status.company")}</dd>
        {kind === "lead" && card.lead_status && (
          <>
            <dt>{t("contacts.leads.status")}</dt>
            <dd>{t(`contacts.enums.leadStatus.${card.lead_status}` as "contacts.enums.leadStatus.in_progress")}</dd>
          </>
        )}
        <dt>{t("contacts.card.phones")}</dt>
        <dd>
          {card.phones.length
            ? card.phones.map((p, i) => (
                <span key={i}>
                  {i > 0 && ", "}
                  <ClickToCall phone={p.phone} contactId={card.id} /> ({t(`contacts.enums.channel.${p.type}` as "contacts.enums.channel.work")})
                </span>
              ))
            : none}
        </dd>
        <dt>{t("contacts.card.emails")}</dt>
        <dd>
          {card.emails.length
            ? card.emails.map((e) => `${e.email} (${t(`contacts.enums.channel.${e.type}` as "contacts.enums.channel.work")})`).join(", ")
            : none}
        </dd>
        <dt>{t("contacts.card.responsible")}</dt>
        <dd>{responsible ?? (card.responsible_user_id ? none : t("contacts.list.nobody"))}</dd>
        <dt>{t("contacts.card.tags")}</dt>
        <dd>{card.tags.length ? card.tags.join(", ") : none}</dd>
        <dt>{t("contacts.card.sourceTags")}</dt>
        <dd>
          {card.source_tag_ids.length
            ? card.source_tag_ids.map((sid) => sources.data?.find((s) => s.id === sid)?.display_value ?? sid).join(", ")
            : none}
        </dd>
        <dt>{t("contacts.card.address")}</dt>
        <dd>{card.address || none}</dd>
        <dt>{t("contacts.card.website")}</dt>
        <dd>{card.website || none}</dd>
        <dt>{t("contacts.card.comment")}</dt>
        <dd>{card.comment || none}</dd>
        {propertyEntries.map(([key, value]) => (
          <PropertyRow key={key} title={properties.data?.find((p) => p.key === key)?.title ?? key} value={String(value)} />
        ))}
      </dl>
      {onEdit ? (
        <div className="actions">
          <button type="button" className="button" onClick={onEdit}>
            {t("contacts.card.edit")}
          </button>
        </div>
      ) : (
        <p className="muted">{t(kind === "client" ? "contacts.card.readOnlyClient" : "contacts.card.readOnlyLead")}</p>
      )}
    </>
  );
}

function PropertyRow({ title, value }: { title: string; value: string }) {
  return (
    <>
      <dt>{title}</dt>
      <dd>{value}</dd>
    </>
  );
}

interface Draft {
  name: string;
  type: string;
  status: string;
  phones: { phone: string; type: Channel }[];
  emails: { email: string; type: Channel }[];
  address: string;
  website: string;
  comment: string;
  tags: string;
  source_tag_ids: string[];
  properties: Record<string, string>;
}

function draftOf(card: Card): Draft {
  return {
    name: card.name,
    type: card.type,
    status: card.status,
    phones: card.phones.map((p) => ({ phone: p.phone, type: p.type as Channel })),
    emails: card.emails.map((e) => ({ email: e.email, type: e.type as Channel })),
    address: card.address ?? "",
    website: card.website ?? "",
    comment: card.comment ?? "",
    tags: card.tags.join(", "),
    source_tag_ids: card.source_tag_ids,
    properties: Object.fromEntries(Object.entries(card.properties ?? {}).map(([k, v]) => [k, String(v ?? "")])),
  };
}

function EditForm({ kind, card, onDone }: { kind: Kind; card: Card; onDone: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const properties = useProperties();
  const sources = useSourceTags();
  // The version the edit started from: a newer one on the server means someone else saved.
  const [base, setBase] = useState(card);
  const [draft, setDraft] = useState<Draft>(() => draftOf(card));
  const save = useMutation({
    mutationFn: () => {
      const props: Record<string, unknown> = {};
      for (const p of properties.data ?? []) {
        const value = draft.properties[p.key] ?? "";
        const had = base.properties?.[p.key] !== undefined && base.properties?.[p.key] !== null;
        if (value !== "") props[p.key] = p.kind === "number" ? Number(value) : value;
        else if (had) props[p.key] = null;
      }
      return patchContact(api, kind, card.id, {
        version: base.version,
        name: draft.name,
        type: draft.type as Card["type"] as never,
        status: draft.status as never,
        phones: draft.phones.filter((p) => p.phone.trim()),
        emails: draft.emails.filter((e) => e.email.trim()),
        address: draft.address || null,
        website: draft.website || null,
        comment: draft.comment || null,
        tags: draft.tags
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
        source_tag_ids: draft.source_tag_ids,
        properties: props,
      });
    },
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: keys.card(kind, card.id) });
      await client.invalidateQueries({ queryKey: keys.feed(kind, card.id) });
      await client.invalidateQueries({ queryKey: keys.lists(kind) });
      onDone();
    },
  });
  const stale = isStaleVersion(save.error);
  const fieldNames = [
    "name",
    "type",
    "status",
    "phones",
    "emails",
    "address",
    "website",
    "comment",
    "tags",
    "source_tag_ids",
    "properties",
    ...draft.phones.flatMap((_, i) => [`phones[${i}].phone`, `phones[${i}]`]),
    ...draft.emails.flatMap((_, i) => [`emails[${i}].email`, `emails[${i}]`]),
    ...draft.tags.split(",").map((_, i) => `tags[${i}]`),
    ...draft.source_tag_ids.map((_, i) => `source_tag_ids[${i}]`),
    ...(properties.data ?? []).map((p) => `properties.${p.key}`),
  ];
  const errors = useFormErrors(stale ? null : save.error, fieldNames);
  const tagError = errors.field("tags") ?? draft.tags.split(",").map((_, i) => errors.field(`tags[${i}]`)).find(Boolean);
  const sourceError = errors.field("source_tag_ids") ?? draft.source_tag_ids.map((_, i) => errors.field(`source_tag_ids[${i}]`)).find(Boolean);

  async function reload() {
    const fresh = await client.fetchQuery({ queryKey: keys.card(kind, card.id), staleTime: 0, queryFn: () => getCard(api, kind, card.id) });
    setBase(fresh);
    setDraft(draftOf(fresh));
    save.reset();
  }

  const text = (name: "name" | "address" | "website" | "tags") => ({
    name,
    value: draft[name],
    onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [name]: e.target.value }),
  });

  return (
    <Form error={save.error} label={t("contacts.card.edit")} onSubmit={() => save.mutate()}>
      {stale && (
        <div className="banner" role="alert" tabIndex={-1}>
          <span>{t("contacts.card.conflict")}</span>
          <button type="button" className="button" onClick={() => void reload()}>
            {t("contacts.card.reload")}
          </button>
        </div>
      )}
      <FormError message={errors.form} />
      <Field label={t("contacts.card.name")} required {...text("name")} error={errors.field("name")} />
      <div className="grid">
        <SelectField label={t("contacts.filters.type")} value={draft.type} onChange={(e) => setDraft({ ...draft, type: e.target.value })} error={errors.field("type")}>
          {(["potential", "client", "reseller", "partner"] as const).map((v) => (
            <option key={v} value={v}>
              {t(`contacts.enums.type.${v}`)}
            </option>
          ))}
        </SelectField>
        <SelectField label={t("contacts.filters.status")} value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })} error={errors.field("status")}>
          {(["individual", "company"] as const).map((v) => (
            <option key={v} value={v}>
              {t(`contacts.enums.status.${v}`)}
            </option>
          ))}
        </SelectField>
      </div>
      <fieldset>
        <legend>{t("contacts.card.phones")}</legend>
        {errors.field("phones") && <p className="field__error">{errors.field("phones")}</p>}
        {draft.phones.map((p, i) => (
          <div className="row" key={i}>
            <Field
              label={t("contacts.card.phone", { n: i + 1 })}
              name={`phones[${i}].phone`}
              type="tel"
              value={p.phone}
              onChange={(e) => setDraft({ ...draft, phones: draft.phones.map((x, j) => (j === i ? { ...x, phone: e.target.value } : x)) })}
              error={errors.field(`phones[${i}].phone`) ?? errors.field(`phones[${i}]`)}
            />
            <SelectField
              label={t("contacts.card.phoneType", { n: i + 1 })}
              value={p.type}
              onChange={(e) => setDraft({ ...draft, phones: draft.phones.map((x, j) => (j === i ? { ...x, type: e.target.value as Channel } : x)) })}
            >
              {CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {t(`contacts.enums.channel.${c}`)}
                </option>
              ))}
            </SelectField>
            <button type="button" className="button" onClick={() => setDraft({ ...draft, phones: draft.phones.filter((_, j) => j !== i) })}>
              {t("contacts.card.removePhone", { n: i + 1 })}
            </button>
          </div>
        ))}
        <button type="button" className="button button--link" onClick={() => setDraft({ ...draft, phones: [...draft.phones, { phone: "", type: "work" }] })}>
          {t("contacts.card.addPhone")}
        </button>
      </fieldset>
      <fieldset>
        <legend>{t("contacts.card.emails")}</legend>
        {errors.field("emails") && <p className="field__error">{errors.field("emails")}</p>}
        {draft.emails.map((m, i) => (
          <div className="row" key={i}>
            <Field
              label={t("contacts.card.email", { n: i + 1 })}
              name={`emails[${i}].email`}
              type="email"
              value={m.email}
              onChange={(e) => setDraft({ ...draft, emails: draft.emails.map((x, j) => (j === i ? { ...x, email: e.target.value } : x)) })}
              error={errors.field(`emails[${i}].email`) ?? errors.field(`emails[${i}]`)}
            />
            <SelectField
              label={t("contacts.card.emailType", { n: i + 1 })}
              value={m.type}
              onChange={(e) => setDraft({ ...draft, emails: draft.emails.map((x, j) => (j === i ? { ...x, type: e.target.value as Channel } : x)) })}
            >
              {CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {t(`contacts.enums.channel.${c}`)}
                </option>
              ))}
            </SelectField>
            <button type="button" className="button" onClick={() => setDraft({ ...draft, emails: draft.emails.filter((_, j) => j !== i) })}>
              {t("contacts.card.removeEmail", { n: i + 1 })}
            </button>
          </div>
        ))}
        <button type="button" className="button button--link" onClick={() => setDraft({ ...draft, emails: [...draft.emails, { email: "", type: "work" }] })}>
          {t("contacts.card.addEmail")}
        </button>
      </fieldset>
      <Field label={t("contacts.card.tags")} hint={t("contacts.card.tagsHint")} {...text("tags")} error={tagError} />
      <SelectField
        label={t("contacts.card.sourceTags")}
        multiple
        value={draft.source_tag_ids}
        onChange={(e) => setDraft({ ...draft, source_tag_ids: [...e.target.selectedOptions].map((o) => o.value) })}
        error={sourceError}
      >
        {sources.data?.map((s) => (
          <option key={s.id} value={s.id}>
            {s.display_value || `${s.param}=${s.value}`}
          </option>
        ))}
      </SelectField>
      <Field label={t("contacts.card.address")} {...text("address")} error={errors.field("address")} />
      <Field label={t("contacts.card.website")} {...text("website")} error={errors.field("website")} />
      <TextAreaField
        label={t("contacts.card.comment")}
        value={draft.comment}
        onChange={(e) => setDraft({ ...draft, comment: e.target.value })}
        error={errors.field("comment")}
      />
      {(properties.data?.length ?? 0) > 0 && (
        <fieldset>
          <legend>{t("contacts.card.properties")}</legend>
          {errors.field("properties") && <p className="field__error">{errors.field("properties")}</p>}
          {properties.data?.map((p) => {
            const value = draft.properties[p.key] ?? "";
            const change = (e: { target: { value: string } }) => setDraft({ ...draft, properties: { ...draft.properties, [p.key]: e.target.value } });
            const error = errors.field(`properties.${p.key}`);
            return p.kind === "select" ? (
              <SelectField key={p.id} label={p.title} value={value} onChange={change} error={error}>
                <option value="" />
                {p.options.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </SelectField>
            ) : (
              <Field
                key={p.id}
                label={p.title}
                name={`properties.${p.key}`}
                type={p.kind === "number" ? "number" : p.kind === "date" ? "date" : "text"}
                value={value}
                onChange={change}
                error={error}
              />
            );
          })}
        </fieldset>
      )}
      <div className="actions">
        <button type="button" className="button" onClick={onDone}>
          {t("contacts.card.cancel")}
        </button>
        <button type="submit" className="button button--primary" disabled={save.isPending || stale}>
          {save.isPending ? t("contacts.card.saving") : t("contacts.card.save")}
        </button>
      </div>
    </Form>
  );
}

function Deals({ clientId }: { clientId: string }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const deals = useQuery({
    queryKey: ["deals", "of", clientId],
    queryFn: () => unwrap(api.GET("/v1/deals", { params: { query: { client_id: clientId, limit: 50 } } })),
  });
  return (
    <section className="panel" aria-labelledby="deals-heading">
      <h2 id="deals-heading">{t("contacts.card.deals")}</h2>
      <QueryState query={deals}>
        {(page) =>
          page.items.length === 0 ? (
            <p className="empty">{t("contacts.card.noDeals")}</p>
          ) : (
            <ul className="side-list">
              {page.items.map((d) => (
                <li key={d.id}>
                  <Link to={`/deals/${encodeURIComponent(d.id)}`}>{d.title}</Link> —{" "}
                  {new Intl.NumberFormat(i18n.language, { style: "currency", currency: d.value.currency }).format(Number(d.value.amount))} ·{" "}
                  <span className={`deal-status deal-status--${d.status}`}>{t(`deals.status.${d.status}` as "deals.status.new", { defaultValue: d.status })}</span>
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
    </section>
  );
}

function Tasks({ kind, contactId }: { kind: Kind; contactId: string }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const [open, setOpen] = useState<Task | null>(null);
  const [completed, setCompleted] = useState<string>();
  const complete = useCompleteTask();
  const tasks = useQuery({
    queryKey: ["tasks", "of", contactId],
    queryFn: () => unwrap(api.GET("/v1/tasks", { params: { query: { contact_id: contactId, limit: 50 } } })),
  });
  return (
    <section className="panel" aria-labelledby="tasks-heading">
      <h2 id="tasks-heading">{t("contacts.card.tasks")}</h2>
      <p role="status" className="contacts__notice">
        {completed ? t("contacts.card.taskCompleted", { title: completed }) : null}
      </p>
      {complete.isError && (
        <p role="alert" className="form-error">
          {isApiError(complete.error) ? complete.error.message : t("errors.unexpected")}
        </p>
      )}
      <QueryState query={tasks}>
        {(page) =>
          page.items.length === 0 ? (
            <p className="empty">{t("contacts.card.noTasks")}</p>
          ) : (
            <ul className="side-list">
              {page.items.map((task) => (
                <li key={task.id} className="side-list__task">
                  <button
                    type="button"
                    className="button button--link"
                    onClick={() => setOpen(task)}
                    aria-label={t("contacts.card.openTask", { title: task.title })}
                    aria-haspopup="dialog"
                  >
                    {task.title}
                  </button>{" "}
                  · {t(`contacts.task.types.${task.type}` as "contacts.task.types.task")} · {formatDateTime(task.start, i18n.language)}
                  {task.status !== "done" && (
                    <button
                      type="button"
                      className="button"
                      disabled={complete.isPending}
                      aria-label={t("contacts.card.completeTask", { title: task.title })}
                      onClick={() =>
                        complete.mutate(task, {
                          onSuccess: () => {
                            setCompleted(task.title);
                            // The feed gets a "task completed" line.
                            void client.invalidateQueries({ queryKey: keys.feed(kind, contactId) });
                          },
                        })
                      }
                    >
                      {t("contacts.card.complete")}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
      {open && (
        <TaskDialog
          task={open}
          onClose={() => {
            setOpen(null);
            // A saved edit may have written a line (rescheduled, completed…).
            void client.invalidateQueries({ queryKey: keys.feed(kind, contactId) });
          }}
        />
      )}
    </section>
  );
}

/** A local datetime-local value for "now + 1 hour" (the new task's default start). */
function inAnHour(): string {
  const d = new Date(Date.now() + 3600_000);
  d.setMinutes(0, 0, 0);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function TaskForm({ kind, contactId, onDone }: { kind: Kind; contactId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const [title, setTitle] = useState("");
  const [type, setType] = useState<"task" | "call" | "video" | "sms">("call");
  const [start, setStart] = useState(inAnHour);
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/v1/tasks", {
          body: { title, type, start: start ? new Date(start).toISOString() : "", contact_ids: [contactId] },
        }),
      ),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ["tasks", "of", contactId] });
      await client.invalidateQueries({ queryKey: keys.feed(kind, contactId) });
      onDone();
    },
  });
  const errors = useFormErrors(create.error, ["title", "type", "start"]);
  return (
    <section className="panel" aria-label={t("contacts.card.newTask")}>
      <Form error={create.error} label={t("contacts.card.newTask")} onSubmit={() => create.mutate()}>
        <FormError message={errors.form} />
        <div className="grid">
          <Field label={t("contacts.task.title")} name="title" required value={title} onChange={(e) => setTitle(e.target.value)} error={errors.field("title")} />
          <SelectField label={t("contacts.task.type")} value={type} onChange={(e) => setType(e.target.value as typeof type)} error={errors.field("type")}>
            {(["task", "call", "video", "sms"] as const).map((v) => (
              <option key={v} value={v}>
                {t(`contacts.task.types.${v}`)}
              </option>
            ))}
          </SelectField>
          <Field label={t("contacts.task.start")} name="start" type="datetime-local" required value={start} onChange={(e) => setStart(e.target.value)} error={errors.field("start")} />
        </div>
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={create.isPending}>
            {t("contacts.task.create")}
          </button>
        </div>
      </Form>
    </section>
  );
}

function DealForm({ clientId, onDone }: { clientId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const [title, setTitle] = useState("");
  const [amount, setAmount] = useState("");
  const [currency, setCurrency] = useState("");
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/v1/deals", {
          body: { title, client_id: clientId, value: { amount: amount.replace(",", "."), ...(currency ? { currency: currency.toUpperCase() } : {}) } },
        }),
      ),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ["deals", "of", clientId] });
      await client.invalidateQueries({ queryKey: keys.feed("client", clientId) });
      onDone();
    },
  });
  const errors = useFormErrors(create.error, ["title", "value.amount", "value.currency", "value", "client_id"]);
  return (
    <section className="panel" aria-label={t("contacts.card.newDeal")}>
      <Form error={create.error} label={t("contacts.card.newDeal")} onSubmit={() => create.mutate()}>
        <FormError message={errors.form} />
        <div className="grid">
          <Field label={t("contacts.deal.title")} name="title" required value={title} onChange={(e) => setTitle(e.target.value)} error={errors.field("title")} />
          <Field
            label={t("contacts.deal.value")}
            name="amount"
            inputMode="decimal"
            required
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
            error={errors.field("value.amount") ?? errors.field("value")}
          />
          <Field
            label={t("contacts.deal.currency")}
            name="currency"
            maxLength={3}
            value={currency}
            onChange={(e) => setCurrency(e.target.value)}
            error={errors.field("value.currency")}
          />
        </div>
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={create.isPending}>
            {t("contacts.deal.create")}
          </button>
        </div>
      </Form>
    </section>
  );
}
