/**
 * Autodial (SPEC AD): build a call list from clients and leads (picked here, or the selection
 * brought from the contacts list) or from pasted numbers, and start it (POST /v1/call-lists);
 * the call lists below (GET /v1/call-lists: the user's own, the CRM's for an administrator).
 * A list's live progress is CallListPage.
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useNavigate } from "react-router";

import { unwrap } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useRights } from "../../app/rights";
import { useApi } from "../../app/session";
import { Field, Form, FormError } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { useUserNames } from "../contacts/api";
import { SelectField, TextAreaField, formatDateTime } from "../contacts/widgets";
import "../contacts/contacts.css";
import { parsePhones } from "./logic";
import "./calls.css";

/** What the contacts list's bulk action hands over (router state). */
export interface Picked {
  id: string;
  name: string;
}

type Source = "contacts" | "phones";

export function AutodialPage() {
  const { t } = useTranslation();
  return (
    <div>
      <h1>{t("calls.autodial.title")}</h1>
      <p className="muted">{t("calls.autodial.intro")}</p>
      <NewCallList />
      <CallLists />
    </div>
  );
}

function NewCallList() {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const navigate = useNavigate();
  const brought = (useLocation().state as { contacts?: Picked[] } | null)?.contacts ?? [];
  const [source, setSource] = useState<Source>(brought.length ? "contacts" : "phones");
  const [picked, setPicked] = useState<Picked[]>(brought);
  const [text, setText] = useState("");
  const phones = parsePhones(text);

  const start = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/v1/call-lists", {
          body: source === "phones" ? { phones } : { contact_ids: picked.map((p) => p.id) },
        }),
      ),
    onSuccess: (started) => {
      void client.invalidateQueries({ queryKey: callListsKey });
      void navigate(`/autodial/${started.id}`);
    },
  });
  // The API names `phones[3]` or `contact_ids[0]`: show it on the field that holds them.
  const error = start.error;
  const field = isApiError(error) ? (error.field ?? "") : "";
  const phonesError = field.startsWith("phones") && isApiError(error) ? explain(error.message, phones, field) : undefined;
  const contactsError = field.startsWith("contact_ids") && isApiError(error) ? error.message : undefined;
  const formError =
    error && !phonesError && !contactsError ? (isApiError(error) && error.code !== "network_error" ? error.message : t("errors.unexpected")) : undefined;
  const ready = source === "phones" ? phones.length > 0 : picked.length > 0;

  return (
    <section className="panel" aria-labelledby="autodial-new">
      <h2 id="autodial-new">{t("calls.autodial.new")}</h2>
      <Form error={error} label={t("calls.autodial.new")} onSubmit={() => start.mutate()}>
        <FormError message={formError} />
        <fieldset className="autodial__source">
          <legend>{t("calls.autodial.source")}</legend>
          {(["phones", "contacts"] as const).map((s) => (
            <label key={s} className="check">
              <input type="radio" name="source" value={s} checked={source === s} onChange={() => setSource(s)} />
              {t(s === "phones" ? "calls.autodial.fromPhones" : "calls.autodial.fromContacts")}
            </label>
          ))}
        </fieldset>
        {source === "phones" ? (
          <>
            <TextAreaField
              label={t("calls.autodial.phones")}
              rows={6}
              value={text}
              onChange={(e) => setText(e.target.value)}
              error={phonesError}
              aria-describedby="autodial-phones-hint"
            />
            <p id="autodial-phones-hint" className="field__hint">
              {t("calls.autodial.phonesHint")} {t("calls.autodial.phonesCount", { count: phones.length })}
            </p>
          </>
        ) : (
          <ContactPicker picked={picked} onChange={setPicked} error={contactsError} />
        )}
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={!ready || start.isPending}>
            {start.isPending ? t("calls.autodial.starting") : t("calls.autodial.start")}
          </button>
        </div>
      </Form>
    </section>
  );
}

/** "phones[2]: ..." -> the number it is about, so the user finds the line. */
function explain(message: string, phones: string[], field: string): string {
  const index = /\[(\d+)\]/.exec(field)?.[1];
  const number = index === undefined ? undefined : phones[Number(index)];
  const text = message.replace(/^phones(\[\d+\])?: /, "");
  return number ? `${number}: ${text}` : text;
}

function ContactPicker({ picked, onChange, error }: { picked: Picked[]; onChange: (p: Picked[]) => void; error: string | undefined }) {
  const { t } = useTranslation();
  const api = useApi();
  const [kind, setKind] = useState<"client" | "lead">("client");
  const [q, setQ] = useState("");
  const term = q.trim();
  const found = useQuery({
    queryKey: ["autodial", "pick", kind, term],
    queryFn: async (): Promise<{ id: string; name: string; phones: { phone: string }[] }[]> => {
      const query = { limit: 25, ...(term ? { q: term } : {}) };
      const page =
        kind === "client"
          ? await unwrap(api.GET("/v1/clients", { params: { query } }))
          : await unwrap(api.GET("/v1/leads", { params: { query } }));
      return page.items;
    },
  });
  const chosen = new Set(picked.map((p) => p.id));
  return (
    <div className="autodial__picker">
      <div>
        <div className="grid">
          <SelectField label={t("calls.autodial.kind")} value={kind} onChange={(e) => setKind(e.target.value as "client" | "lead")}>
            <option value="client">{t("calls.autodial.clients")}</option>
            <option value="lead">{t("calls.autodial.leads")}</option>
          </SelectField>
          <Field label={t("calls.autodial.search")} name="pick-q" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        </div>
        {found.isSuccess && found.data.length === 0 && <p className="muted">{t("calls.autodial.noneFound")}</p>}
        {found.isError && (
          <p role="alert" className="form-error">
            {isApiError(found.error) ? found.error.message : t("errors.unexpected")}
          </p>
        )}
        <ul className="autodial__results" aria-label={t(kind === "client" ? "calls.autodial.clients" : "calls.autodial.leads")}>
          {found.data?.map((c) => (
            <li key={c.id}>
              <span>
                {c.name} <span className="muted">{c.phones[0]?.phone ?? t("calls.autodial.noPhone")}</span>
              </span>
              <button
                type="button"
                className="button"
                disabled={chosen.has(c.id) || c.phones.length === 0}
                aria-label={t("calls.autodial.pick", { name: c.name })}
                onClick={() => onChange([...picked, { id: c.id, name: c.name }])}
              >
                +
              </button>
            </li>
          ))}
        </ul>
      </div>
      <div>
        <h3 id="autodial-picked">{t("calls.autodial.picked")}</h3>
        <p className="muted">{t("calls.autodial.pickedCount", { count: picked.length })}</p>
        {error && (
          <p role="alert" className="field__error">
            {error}
          </p>
        )}
        {picked.length === 0 ? (
          <p className="muted">{t("calls.autodial.noneSelected")}</p>
        ) : (
          <ul className="autodial__picked" aria-labelledby="autodial-picked">
            {picked.map((p) => (
              <li key={p.id}>
                <span>{p.name}</span>
                <button
                  type="button"
                  className="button button--link"
                  aria-label={t("calls.autodial.remove", { name: p.name })}
                  onClick={() => onChange(picked.filter((x) => x.id !== p.id))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

export const callListsKey = ["call-lists", "page"] as const;
export const LISTS_POLL_MS = 2000;

/** The call lists, newest first, a page at a time; refreshed while one of them runs. */
function CallLists() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const { isAdmin } = useRights();
  const nameOf = useUserNames();
  const lists = useInfiniteQuery({
    queryKey: callListsKey,
    initialPageParam: "",
    queryFn: ({ pageParam }) =>
      unwrap(api.GET("/v1/call-lists", { params: { query: { limit: 25, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: (query) =>
      query.state.data?.pages.some((p) => p.items.some((l) => l.status === "running")) ? LISTS_POLL_MS : false,
    staleTime: 0,
  });
  const number = new Intl.NumberFormat(i18n.language);
  return (
    <section className="panel" aria-labelledby="autodial-lists">
      <h2 id="autodial-lists">{t(isAdmin ? "calls.autodial.allLists" : "calls.autodial.lists")}</h2>
      <p className="muted">{t(isAdmin ? "calls.autodial.allListsHint" : "calls.autodial.listsHint")}</p>
      <QueryState query={lists}>
        {(data) => {
          const items = data.pages.flatMap((p) => p.items);
          if (items.length === 0) return <p className="empty">{t("calls.autodial.noLists")}</p>;
          return (
            <>
              <table className="table">
                <caption className="visually-hidden">{t(isAdmin ? "calls.autodial.allLists" : "calls.autodial.lists")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("calls.autodial.created")}</th>
                    <th scope="col">{t("calls.autodial.status")}</th>
                    <th scope="col">{t("calls.autodial.done")}</th>
                    <th scope="col">{t("calls.autodial.extensionColumn")}</th>
                    {isAdmin && <th scope="col">{t("calls.autodial.by")}</th>}
                  </tr>
                </thead>
                <tbody>
                  {items.map((l) => {
                    const when = formatDateTime(l.created_at, i18n.language);
                    return (
                      <tr key={l.id}>
                        <td>
                          <Link to={`/autodial/${l.id}`} aria-label={t("calls.autodial.open", { when })}>
                            {when}
                          </Link>
                        </td>
                        <td>
                          <span className={l.status === "running" ? "badge badge--running" : "badge"}>
                            {t(`calls.autodial.state.${l.status}` as "calls.autodial.state.running", { defaultValue: l.status })}
                          </span>
                        </td>
                        <td>{t("calls.autodial.progress", { done: number.format(l.done), total: number.format(l.total) })}</td>
                        <td>{l.extension}</td>
                        {isAdmin && <td>{nameOf(l.user_id) ?? ""}</td>}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
              {lists.hasNextPage && (
                <button type="button" className="button" disabled={lists.isFetchingNextPage} onClick={() => void lists.fetchNextPage()}>
                  {t("calls.autodial.more")}
                </button>
              )}
            </>
          );
        }}
      </QueryState>
    </section>
  );
}
