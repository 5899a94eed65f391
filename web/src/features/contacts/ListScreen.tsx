/**
 * The leads and clients lists (/leads, /clients): scope tabs, the filter block, cursor paging,
 * creating a record, the pool's "take" and a lead's closing, bulk actions on clients.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useMemo, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";

import { unwrap } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useRights } from "../../app/rights";
import { useApi, useMe } from "../../app/session";
import { Field, Form, FormError, useFormErrors } from "../../components/forms";
import { collection, getCard, keys, useContactList, useProperties, useSourceTags, useUsers, type Contact, type Kind } from "./api";
import { ImportExportEntry } from "../imports/ImportExportEntry";
import { isAlreadyTaken, winnerName } from "./conflicts";
import { canClosePoor, canConvert, canCreate, canSeeAll } from "./rights";
import { activeFilterCount, filtersFromSearch, filtersToSearch, type ContactFilters } from "./filters";
import { LoadMore, SelectField, formatDate } from "./widgets";
import { ClickToCall } from "../calls/ClickToCall";
import "./contacts.css";

const TYPES = ["potential", "client", "reseller", "partner"] as const;
const STATUSES = ["individual", "company"] as const;

interface Notice {
  kind: "status" | "alert";
  text: string;
}

export function LeadsPage() {
  return <ListScreen kind="lead" />;
}

export function ClientsPage() {
  return <ListScreen kind="client" />;
}

function ListScreen({ kind }: { kind: Kind }) {
  const { t } = useTranslation();
  const [search, setSearch] = useSearchParams();
  const filters = useMemo(() => filtersFromSearch(search), [search]);
  const scopes = kind === "lead" ? (["mine", "unsorted", "all"] as const) : (["mine", "all"] as const);
  const scope = scopes.find((s) => s === filters.scope) ?? "mine";
  const rights = useRights();
  const shown = scopes.filter((s) => s !== "all" || canSeeAll(kind, rights));
  const active = shown.includes(scope) ? scope : "mine";
  const effective: ContactFilters = { ...filters, scope: active };
  const [notice, setNotice] = useState<Notice | null>(null);
  const [creating, setCreating] = useState(false);
  const panelId = useId();
  const ns = kind === "lead" ? "leads" : "clients";

  function setFilters(next: ContactFilters) {
    setSearch(filtersToSearch(next), { replace: true });
  }

  return (
    <div className="contacts">
      <div className="contacts__head">
        <h1>{t(`contacts.${ns}.title`)}</h1>
        {canCreate(kind, rights) && (
          <button type="button" className="button button--primary" aria-expanded={creating} onClick={() => setCreating(!creating)}>
            {t(`contacts.${ns}.create`)}
          </button>
        )}
        <ImportExportEntry kind={kind} filters={effective} />
      </div>
      {creating && canCreate(kind, rights) && (
        <CreateForm
          kind={kind}
          unsorted={active === "unsorted"}
          onDone={(contact) => {
            setCreating(false);
            setNotice({ kind: "status", text: contact.name });
          }}
        />
      )}
      <div role="tablist" aria-label={t(`contacts.${ns}.tabs`)} className="tabs">
        {shown.map((s) => (
          <button
            key={s}
            type="button"
            role="tab"
            id={`${panelId}-${s}`}
            aria-selected={s === active}
            aria-controls={panelId}
            className="tabs__tab"
            onClick={() => setFilters({ ...filters, scope: s === "mine" ? undefined : s })}
          >
            {t(`contacts.${ns}.${s}` as "contacts.leads.mine")}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={panelId} aria-labelledby={`${panelId}-${active}`} className="contacts__panel">
        <FilterBlock filters={filters} onApply={(next) => setFilters({ ...next, scope: filters.scope })} />
        <div role="status" className="contacts__notice">
          {notice?.kind === "status" ? notice.text : null}
        </div>
        {notice?.kind === "alert" && (
          <p role="alert" className="form-error">
            {notice.text}
          </p>
        )}
        <ContactTable kind={kind} filters={effective} onNotice={setNotice} />
      </div>
    </div>
  );
}

function CreateForm({ kind, unsorted, onDone }: { kind: Kind; unsorted: boolean; onDone: (c: Contact) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [phone, setPhone] = useState("");
  const [email, setEmail] = useState("");
  const [intoPool, setIntoPool] = useState(unsorted);
  const create = useMutation({
    mutationFn: () => {
      const body = {
        name,
        ...(phone ? { phones: [{ phone, type: "work" as const }] } : {}),
        ...(email ? { emails: [{ email, type: "work" as const }] } : {}),
      };
      return kind === "client"
        ? unwrap(api.POST("/v1/clients", { body }))
        : unwrap(api.POST("/v1/leads", { body: { ...body, unsorted: intoPool } }));
    },
    onSuccess: async (contact) => {
      await client.invalidateQueries({ queryKey: keys.lists(kind) });
      onDone(contact);
    },
  });
  const errors = useFormErrors(create.error, ["name", "phones[0].phone", "emails[0].email", "phones", "emails"]);
  return (
    <section className="panel" aria-label={t(`contacts.${kind === "lead" ? "leads" : "clients"}.create`)}>
      <Form error={create.error} label={t(`contacts.${kind === "lead" ? "leads" : "clients"}.create`)} onSubmit={() => create.mutate()}>
        <FormError message={errors.form} />
        <div className="grid">
          <Field label={t("contacts.create.name")} name="name" value={name} required onChange={(e) => setName(e.target.value)} error={errors.field("name")} />
          <Field
            label={t("contacts.create.phone")}
            name="phone"
            type="tel"
            value={phone}
            onChange={(e) => setPhone(e.target.value)}
            error={errors.field("phones[0].phone") ?? errors.field("phones")}
          />
          <Field
            label={t("contacts.create.email")}
            name="email"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={errors.field("emails[0].email") ?? errors.field("emails")}
          />
        </div>
        {kind === "lead" && (
          <label className="check">
            <input type="checkbox" checked={intoPool} onChange={(e) => setIntoPool(e.target.checked)} />
            {t("contacts.leads.intoUnsorted")}
          </label>
        )}
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={create.isPending}>
            {create.isPending ? t("contacts.create.submitting") : t("contacts.create.submit")}
          </button>
        </div>
      </Form>
    </section>
  );
}

function FilterBlock({ filters, onApply }: { filters: ContactFilters; onApply: (f: ContactFilters) => void }) {
  const { t } = useTranslation();
  const users = useUsers();
  const properties = useProperties();
  const sources = useSourceTags();
  const api = useApi();
  const tags = useQuery({
    queryKey: ["tags"],
    queryFn: async () => (await unwrap(api.GET("/v1/tags", { params: { query: { limit: 100 } } }))).items,
    staleTime: 60_000,
  });
  const [draft, setDraft] = useState<ContactFilters>(filters);
  const tagList = useId();
  const count = activeFilterCount(filters);
  const set = (name: keyof Omit<ContactFilters, "properties">) => (e: { target: { value: string } }) =>
    setDraft({ ...draft, [name]: e.target.value || undefined });

  function submit(event: FormEvent) {
    event.preventDefault();
    onApply(draft);
  }

  return (
    <details className="filters" open={count > 0 || undefined}>
      <summary>
        {t("contacts.filters.title")}
        {count > 0 ? ` (${count})` : ""}
      </summary>
      <form aria-label={t("contacts.filters.title")} onSubmit={submit} className="filters__form">
        <div className="grid">
          <Field label={t("contacts.filters.q")} name="q" type="search" value={draft.q ?? ""} onChange={set("q")} />
          <SelectField label={t("contacts.filters.responsible")} value={draft.responsible_user_id ?? ""} onChange={set("responsible_user_id")}>
            <option value="">{t("contacts.filters.any")}</option>
            {users.data?.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </SelectField>
          <Field label={t("contacts.filters.tag")} name="tag" list={tagList} value={draft.tag ?? ""} onChange={set("tag")} />
          <datalist id={tagList}>
            {tags.data?.map((tag) => <option key={tag.tag} value={tag.tag} />)}
          </datalist>
          <SelectField label={t("contacts.filters.type")} value={draft.type ?? ""} onChange={set("type")}>
            <option value="">{t("contacts.filters.any")}</option>
            {TYPES.map((v) => (
              <option key={v} value={v}>
                {t(`contacts.enums.type.${v}`)}
              </option>
            ))}
          </SelectField>
          <SelectField label={t("contacts.filters.status")} value={draft.status ?? ""} onChange={set("status")}>
            <option value="">{t("contacts.filters.any")}</option>
            {STATUSES.map((v) => (
              <option key={v} value={v}>
                {t(`contacts.enums.status.${v}`)}
              </option>
            ))}
          </SelectField>
          <SelectField label={t("contacts.filters.sourceTag")} value={draft.source_tag_id ?? ""} onChange={set("source_tag_id")}>
            <option value="">{t("contacts.filters.any")}</option>
            {sources.data?.map((s) => (
              <option key={s.id} value={s.id}>
                {s.display_value || `${s.param}=${s.value}`}
              </option>
            ))}
          </SelectField>
          <Field label={t("contacts.filters.createdFrom")} name="created_from" type="date" value={draft.created_from ?? ""} onChange={set("created_from")} />
          <Field label={t("contacts.filters.createdTo")} name="created_to" type="date" value={draft.created_to ?? ""} onChange={set("created_to")} />
          {properties.data?.map((p) => {
            const value = draft.properties[p.key] ?? "";
            const change = (e: { target: { value: string } }) => {
              const next = { ...draft.properties, [p.key]: e.target.value };
              if (!e.target.value) delete next[p.key];
              setDraft({ ...draft, properties: next });
            };
            return p.kind === "select" ? (
              <SelectField key={p.id} label={p.title} value={value} onChange={change}>
                <option value="">{t("contacts.filters.any")}</option>
                {p.options.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </SelectField>
            ) : (
              <Field key={p.id} label={p.title} name={`property.${p.key}`} type={p.kind === "date" ? "date" : "text"} value={value} onChange={change} />
            );
          })}
        </div>
        <div className="actions">
          <button
            type="button"
            className="button"
            onClick={() => {
              const cleared = { properties: {} };
              setDraft(cleared);
              onApply(cleared);
            }}
          >
            {t("contacts.filters.clear")}
          </button>
          <button type="submit" className="button button--primary">
            {t("contacts.filters.apply")}
          </button>
        </div>
      </form>
    </details>
  );
}

function ContactTable({ kind, filters, onNotice }: { kind: Kind; filters: ContactFilters; onNotice: (n: Notice) => void }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const me = useMe();
  const client = useQueryClient();
  const list = useContactList(kind, filters);
  const rights = useRights();
  const users = useUsers();
  const nameOf = (id: string | null | undefined) => (id ? users.data?.find((u) => u.id === id)?.name : undefined);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const items = useMemo(() => list.data?.pages.flatMap((p) => p.items as Contact[]) ?? [], [list.data]);
  const ns = kind === "lead" ? "leads" : "clients";
  const base = `/${collection(kind)}`;

  const take = useMutation({
    mutationFn: (lead: Contact) => unwrap(api.POST("/v1/leads/{lead_id}/take", { params: { path: { lead_id: lead.id } } })),
    onSuccess: (lead) => onNotice({ kind: "status", text: t("contacts.leads.taken", { name: lead.name }) }),
    onError: async (error, lead) => {
      if (!isAlreadyTaken(error)) {
        onNotice({ kind: "alert", text: isApiError(error) ? error.message : t("errors.unexpected") });
        return;
      }
      // The answer does not say who: read the lead again (it may be out of sight now).
      const again = await getCard(api, "lead", lead.id).catch(() => undefined);
      // The winner may have joined since the users were listed: read them if unknown here.
      const winner = again?.responsible_user_id;
      const fetched =
        winner && !nameOf(winner)
          ? await unwrap(api.GET("/v1/users/{user_id}", { params: { path: { user_id: winner } } })).catch(() => undefined)
          : undefined;
      const who = winnerName(again, (id) => nameOf(id) ?? fetched?.name, me.data?.id);
      onNotice({ kind: "alert", text: who ? t("contacts.leads.takenBy", { who }) : t("contacts.leads.takenBySomeone") });
    },
    onSettled: () => client.invalidateQueries({ queryKey: keys.lists("lead") }),
  });

  const close = useMutation({
    mutationFn: async ({ lead, outcome }: { lead: Contact; outcome: "client" | "poor_quality" }) => {
      await unwrap(api.POST("/v1/leads/{lead_id}/close", { params: { path: { lead_id: lead.id } }, body: { outcome } }));
      return { lead, outcome };
    },
    onSuccess: ({ lead, outcome }) =>
      onNotice({ kind: "status", text: t(outcome === "client" ? "contacts.leads.closed" : "contacts.leads.deleted", { name: lead.name }) }),
    onError: (error) => onNotice({ kind: "alert", text: isApiError(error) ? error.message : t("errors.unexpected") }),
    onSettled: async () => {
      await client.invalidateQueries({ queryKey: keys.lists("lead") });
      await client.invalidateQueries({ queryKey: keys.lists("client") });
    },
  });

  if (list.isPending) {
    return (
      <p role="status" className="loading">
        {t("app.loading")}
      </p>
    );
  }
  if (list.isError) {
    return (
      <p role="alert" className="form-error">
        {isApiError(list.error) ? list.error.message : t("errors.unexpected")}
      </p>
    );
  }

  const allSelected = items.length > 0 && items.every((c) => selected.has(c.id));
  // What the API would refuse for every client is not offered (docs/rights.md); any user may
  // send a selection of clients or leads an SMS broadcast or dial it (only clients have bulk edits).
  const bulkActions = kind === "client" ? bulkActionsFor(rights) : [];
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };

  return (
    <>
      {selected.size > 0 && (
        <BulkBar
          kind={kind}
          actions={bulkActions}
          ids={[...selected]}
          nameOf={(id) => items.find((c) => c.id === id)?.name ?? id}
          onDone={() => setSelected(new Set())}
        />
      )}
      {items.length === 0 ? (
        <p className="empty">{t(`contacts.${ns}.empty`)}</p>
      ) : (
        <table className="table">
          <caption className="visually-hidden">{t(`contacts.${ns}.title`)}</caption>
          <thead>
            <tr>
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label={t("contacts.list.selectAll")}
                  checked={allSelected}
                  onChange={() => setSelected(allSelected ? new Set() : new Set(items.map((c) => c.id)))}
                />
              </th>
              <th scope="col">{t("contacts.list.name")}</th>
              <th scope="col">{t("contacts.list.phone")}</th>
              <th scope="col">{t("contacts.list.responsible")}</th>
              {kind === "lead" ? <th scope="col">{t("contacts.leads.status")}</th> : <th scope="col">{t("contacts.list.tags")}</th>}
              <th scope="col">{t("contacts.list.created")}</th>
              {kind === "lead" && <th scope="col">{t("contacts.card.actions")}</th>}
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.id}>
                <td>
                  <input type="checkbox" aria-label={t("contacts.list.select", { name: c.name })} checked={selected.has(c.id)} onChange={() => toggle(c.id)} />
                </td>
                <td>
                  <Link to={`${base}/${c.id}`}>{c.name}</Link>
                </td>
                <td>{c.phones[0] ? <ClickToCall phone={c.phones[0].phone} contactId={c.id} /> : ""}</td>
                <td>{c.responsible_user_id ? (nameOf(c.responsible_user_id) ?? "") : t("contacts.list.nobody")}</td>
                {kind === "lead" ? (
                  <td>{c.lead_status ? t(`contacts.enums.leadStatus.${c.lead_status}` as "contacts.enums.leadStatus.in_progress") : ""}</td>
                ) : (
                  <td>{c.tags.join(", ")}</td>
                )}
                <td>{formatDate(c.created_at, i18n.language)}</td>
                {kind === "lead" && (
                  <td className="row-actions">
                    {!c.responsible_user_id && (
                      <button type="button" className="button" disabled={take.isPending} onClick={() => take.mutate(c)} aria-label={`${t("contacts.leads.take")} ${c.name}`}>
                        {t("contacts.leads.take")}
                      </button>
                    )}
                    {canConvert(c, me.data?.id, rights) && (
                      <button
                        type="button"
                        className="button"
                        disabled={close.isPending}
                        onClick={() => close.mutate({ lead: c, outcome: "client" })}
                        aria-label={`${t("contacts.leads.closeClient")}: ${c.name}`}
                      >
                        {t("contacts.leads.closeClient")}
                      </button>
                    )}
                    {canClosePoor(c, me.data?.id, rights) && (
                      <button
                        type="button"
                        className="button"
                        disabled={close.isPending}
                        onClick={() => close.mutate({ lead: c, outcome: "poor_quality" })}
                        aria-label={`${t("contacts.leads.closePoor")}: ${c.name}`}
                      >
                        {t("contacts.leads.closePoor")}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted">{t("contacts.list.count", { count: items.length })}</p>
      <LoadMore
        hasMore={list.hasNextPage}
        loading={list.isFetchingNextPage}
        onMore={() => {
          if (!list.isFetchingNextPage) void list.fetchNextPage();
        }}
        label={t("contacts.list.loadMore")}
      />
    </>
  );
}

type BulkAction = "tag" | "untag" | "assign" | "delete";

function bulkActionsFor(rights: ReturnType<typeof useRights>): BulkAction[] {
  const edit: BulkAction[] = rights.can("customers_edit") ? ["tag", "untag", "assign"] : [];
  return rights.can("customers_delete") ? [...edit, "delete"] : edit;
}

function BulkBar({
  kind,
  actions,
  ids,
  nameOf,
  onDone,
}: {
  kind: Kind;
  actions: BulkAction[];
  ids: string[];
  nameOf: (id: string) => string;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const users = useUsers();
  const [action, setAction] = useState<BulkAction>(actions[0] ?? "tag");
  const [tag, setTag] = useState("");
  const [userId, setUserId] = useState("");
  const run = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/v1/clients/bulk", {
          body: {
            ids,
            action,
            ...(action === "tag" || action === "untag" ? { tag } : {}),
            ...(action === "assign" ? { user_id: userId } : {}),
          },
        }),
      ),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: keys.lists("client") });
    },
  });
  const errors = useFormErrors(run.error, ["tag", "user_id", "ids"]);
  const result = run.data;
  return (
    <section className="panel bulk" aria-label={t("contacts.bulk.title", { count: ids.length })}>
      <h2>{t("contacts.bulk.title", { count: ids.length })}</h2>
      <Form
        error={run.error}
        label={t("contacts.bulk.title", { count: ids.length })}
        onSubmit={() => {
          if (action === "delete" && !window.confirm(t("contacts.bulk.confirmDelete", { count: ids.length }))) return;
          run.mutate();
        }}
      >
        <FormError message={errors.form} />
        {actions.length > 0 && (
          <div className="grid">
            <SelectField label={t("contacts.bulk.action")} value={action} onChange={(e) => setAction(e.target.value as typeof action)}>
              {actions.map((a) => (
                <option key={a} value={a}>
                  {t(`contacts.bulk.${a}`)}
                </option>
              ))}
            </SelectField>
            {(action === "tag" || action === "untag") && (
              <Field label={t("contacts.bulk.tagValue")} name="tag" value={tag} required onChange={(e) => setTag(e.target.value)} error={errors.field("tag")} />
            )}
            {action === "assign" && (
              <SelectField label={t("contacts.bulk.user")} value={userId} required onChange={(e) => setUserId(e.target.value)} error={errors.field("user_id")}>
                <option value="" />
                {users.data?.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name}
                  </option>
                ))}
              </SelectField>
            )}
          </div>
        )}
        <div className="actions">
          {actions.length > 0 && (
            <button type="submit" className="button button--primary" disabled={run.isPending}>
              {t("contacts.bulk.run")}
            </button>
          )}
          <Link className="button" to="/sms/new" state={{ contacts: ids.map((id) => ({ id, name: nameOf(id), kind })) }}>
            {t("sms.compose.fromSelection")}
          </Link>
          <Link className="button" to="/email/broadcasts/new" state={{ contacts: ids.map((id) => ({ id, name: nameOf(id), kind })) }}>
            {t("email.broadcast.fromSelection")}
          </Link>
          <Link className="button" to="/autodial" state={{ contacts: ids.map((id) => ({ id, name: nameOf(id) })) }}>
            {t("calls.autodial.addTo")}
          </Link>
        </div>
      </Form>
      {result && (
        <div role="status">
          <p>{t("contacts.bulk.result", { done: result.done, failed: result.failed })}</p>
          {result.failed > 0 && (
            <ul>
              {result.results
                .filter((r) => r.status !== "ok")
                .map((r) => (
                  <li key={r.id}>{t("contacts.bulk.itemFailed", { name: nameOf(r.id), status: r.status, message: r.message ?? "" })}</li>
                ))}
            </ul>
          )}
          <button type="button" className="button button--link" onClick={onDone}>
            {t("contacts.card.cancel")}
          </button>
        </div>
      )}
    </section>
  );
}
