/** One deal: its fields (edited with its `version`; a 409 says someone else changed it), its
 *  feed (newest first, more on demand) and notes. */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";

import { unwrap, type Schemas } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useRights } from "../../app/rights";
import { useApi } from "../../app/session";
import { Form, FormError, useFormErrors } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { DEAL_FIELDS, DealFields, type DealValues } from "./DealForm";
import { BOARD, formatMoney, useUserNames } from "./hooks";
import { DealEmail } from "../email/DealEmail";
import { EmailEntry, emailData } from "../email/EmailEntry";

type DealCard = Schemas["DealCard"];

export function DealPage() {
  const { id = "" } = useParams();
  const api = useApi();
  const deal = useQuery({
    queryKey: ["deals", "one", id],
    queryFn: () => unwrap(api.GET("/v1/deals/{deal_id}", { params: { path: { deal_id: id } } })),
  });
  return <QueryState query={deal}>{(data) => <DealView deal={data} />}</QueryState>;
}

function toValues(deal: DealCard): DealValues {
  return {
    title: deal.title, client_id: deal.client_id, amount: deal.value.amount, currency: deal.value.currency,
    status: deal.status as DealValues["status"], responsible_user_id: deal.responsible_user_id,
  };
}

function DealView({ deal }: { deal: DealCard }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const names = useUserNames();
  const [editing, setEditing] = useState(false);
  const rights = useRights();
  const [values, setValues] = useState(() => toValues(deal));
  const key = ["deals", "one", deal.id];
  const save = useMutation({
    mutationFn: () => {
      const before = toValues(deal);
      return unwrap(
        api.PATCH("/v1/deals/{deal_id}", {
          params: { path: { deal_id: deal.id } },
          body: {
            version: deal.version,
            ...(values.title !== before.title ? { title: values.title } : {}),
            ...(values.amount !== before.amount || values.currency !== before.currency
              ? { value: { amount: values.amount, currency: values.currency || null } } : {}),
            ...(values.status !== before.status ? { status: values.status } : {}),
            ...(values.responsible_user_id !== before.responsible_user_id && values.responsible_user_id
              ? { responsible_user_id: values.responsible_user_id } : {}),
          },
        }),
      );
    },
    onSuccess: () => {
      setEditing(false);
      void queryClient.invalidateQueries({ queryKey: ["deals"] });
    },
  });
  const conflict = isApiError(save.error) && save.error.code === "conflict" && save.error.field !== "status";
  const errors = useFormErrors(conflict ? undefined : save.error, DEAL_FIELDS);

  return (
    <div className="deal-page">
      <p><Link to="/deals">{t("deals.back")}</Link></p>
      <h1>{deal.title}</h1>
      <DealEmail dealId={deal.id} clientId={deal.client_id} />
      <div className="deal-page__grid">
        <section className="card" aria-labelledby="deal-fields">
          <h2 id="deal-fields">{t("deals.page.fields")}</h2>
          {conflict && (
            <div className="form-error" role="alert">
              {t("deals.page.conflict")}{" "}
              <button type="button" className="button button--link" onClick={() => {
                save.reset();
                void queryClient.invalidateQueries({ queryKey: key }).then(() => setEditing(false));
              }}>{t("deals.page.reload")}</button>
            </div>
          )}
          {editing ? (
            <Form error={save.error} label={t("deals.page.edit")} onSubmit={() => save.mutate()}>
              <FormError message={errors.form} />
              <DealFields values={values} onChange={setValues} errors={errors} withClient={false} />
              <div className="actions">
                <button type="button" className="button" onClick={() => { setEditing(false); save.reset(); }}>{t("deals.cancel")}</button>
                <button type="submit" className="button button--primary" disabled={save.isPending}>
                  {save.isPending ? t("deals.saving") : t("deals.save")}
                </button>
              </div>
            </Form>
          ) : (
            <>
              <dl className="details">
                <dt>{t("deals.fields.status")}</dt><dd>{t(`deals.status.${deal.status as DealValues["status"]}`)}</dd>
                <dt>{t("deals.fields.value")}</dt><dd>{formatMoney(deal.value, i18n.language)}</dd>
                <dt>{t("deals.fields.responsible")}</dt><dd>{names.get(deal.responsible_user_id) ?? deal.responsible_user_id}</dd>
                <dt>{t("deals.fields.created")}</dt><dd>{new Date(deal.created_at).toLocaleString(i18n.language)}</dd>
                {deal.closed_at && (<><dt>{t("deals.fields.closed")}</dt><dd>{new Date(deal.closed_at).toLocaleString(i18n.language)}</dd></>)}
              </dl>
              {rights.can("customers_edit") ? (
                <div className="actions">
                  <button type="button" className="button" onClick={() => { setValues(toValues(deal)); setEditing(true); }}>
                    {t("deals.page.edit")}
                  </button>
                </div>
              ) : (
                <p className="muted">{t("deals.page.readOnly")}</p>
              )}
            </>
          )}
        </section>
        <DealFeed deal={deal} />
      </div>
      <DeleteDeal deal={deal} />
    </div>
  );
}

/** Delete (customers_delete, the API's right for DELETE /v1/deals/{id}): confirmed, then back to
 *  the board. Without the right the button is disabled and says why. */
function DeleteDeal({ deal }: { deal: DealCard }) {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const rights = useRights();
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE("/v1/deals/{deal_id}", { params: { path: { deal_id: deal.id } } })),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: ["deals", "one", deal.id] });
      queryClient.removeQueries({ queryKey: ["deals", "feed", deal.id] });
      void queryClient.invalidateQueries({ queryKey: BOARD });
      void queryClient.invalidateQueries({ queryKey: ["deals", "list"] });
      void navigate("/deals");
    },
  });
  if (!rights.loaded) return null;
  const allowed = rights.can("customers_delete");
  return (
    <div className="actions deal-page__danger">
      <button
        type="button"
        className="button button--danger"
        disabled={!allowed || remove.isPending}
        aria-describedby={allowed ? undefined : "deal-delete-reason"}
        onClick={() => {
          if (window.confirm(t("deals.page.confirmDelete", { title: deal.title }))) remove.mutate();
        }}
      >
        {remove.isPending ? t("deals.page.deleting") : t("deals.page.delete")}
      </button>
      {!allowed && <p id="deal-delete-reason" className="muted">{t("deals.page.noDeleteRight")}</p>}
      {remove.isError && (
        <p role="alert" className="form-error">
          {isApiError(remove.error) && remove.error.code !== "network_error" ? remove.error.message : t("errors.unexpected")}
        </p>
      )}
    </div>
  );
}

function DealFeed({ deal }: { deal: DealCard }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const names = useUserNames();
  const [text, setText] = useState("");
  // The card's answer holds the first page (shown at once); a refetch asks the API itself, so a
  // note added here shows whatever the card's own refetch is doing.
  const feed = useInfiniteQuery({
    queryKey: ["deals", "feed", deal.id],
    initialPageParam: "",
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/v1/deals/{deal_id}/feed", {
          params: { path: { deal_id: deal.id }, query: pageParam ? { cursor: pageParam } : {} },
        }),
      ),
    initialData: { pages: [deal.feed], pageParams: [""] },
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
  const note = useMutation({
    mutationFn: () => unwrap(api.POST("/v1/deals/{deal_id}/notes", { params: { path: { deal_id: deal.id } }, body: { text } })),
    onSuccess: () => {
      setText("");
      void queryClient.invalidateQueries({ queryKey: ["deals", "one", deal.id] });
      void queryClient.invalidateQueries({ queryKey: ["deals", "feed", deal.id] });
    },
  });
  const errors = useFormErrors(note.error, ["text"]);
  const items = feed.data?.pages.flatMap((p) => p.items) ?? deal.feed.items;
  return (
    <section className="card" aria-labelledby="deal-feed">
      <h2 id="deal-feed">{t("deals.page.feed")}</h2>
      <Form error={note.error} label={t("deals.page.addNote")} onSubmit={() => note.mutate()}>
        <FormError message={errors.form} />
        <div className={errors.field("text") ? "field field--invalid" : "field"}>
          <label htmlFor="deal-note">{t("deals.page.note")}</label>
          <textarea id="deal-note" value={text} onChange={(e) => setText(e.target.value)} rows={3}
            aria-invalid={errors.field("text") ? true : undefined} />
          {errors.field("text") && <p className="field__error">{errors.field("text")}</p>}
        </div>
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={note.isPending || !text.trim()}>
            {t("deals.page.addNote")}
          </button>
        </div>
      </Form>
      <ol className="feed">
        {items.map((item) => (
          <li key={item.id} className="feed__item">
            <span className="feed__meta">
              {new Date(item.time).toLocaleString(i18n.language)} · {item.user_id ? names.get(item.user_id) ?? "" : ""} ·{" "}
              {item.kind === "email" && emailData(item).direction
                ? t(emailData(item).direction === "out" ? "email.feed.out" : "email.feed.in")
                : t(`deals.feedKind.${item.kind as "note"}`, { defaultValue: item.kind })}
            </span>
            {item.kind === "email" ? (
              <EmailEntry entry={item} target={{ contact: { kind: "client", id: deal.client_id }, dealId: deal.id }} />
            ) : item.text ? <p>{item.text}</p> : <FeedEvent data={item.data} />}
          </li>
        ))}
      </ol>
      {feed.hasNextPage && (
        <button type="button" className="button" onClick={() => void feed.fetchNextPage()} disabled={feed.isFetchingNextPage}>
          {t("deals.page.moreFeed")}
        </button>
      )}
    </section>
  );
}

function FeedEvent({ data }: { data: Record<string, unknown> }) {
  const { t } = useTranslation();
  const changes = Array.isArray(data.changes) ? (data.changes as { field?: string; to?: unknown }[]) : [];
  return (
    <p>
      {t(`deals.event.${String(data.event) as "updated"}`, { defaultValue: String(data.event ?? "") })}
      {changes.length > 0 && `: ${changes.map((c) => `${c.field ?? ""} → ${String(c.to ?? "")}`).join(", ")}`}
    </p>
  );
}
