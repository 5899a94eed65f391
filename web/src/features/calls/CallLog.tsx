/**
 * The call log (TE-1): filters (user with `calls_other_users_access`, direction, status, period)
 * and search (number, name, words of the transcript) as GET /v1/calls offers them; each call's
 * number callable, its recording playable, its transcript shown, and "create a contact" for an
 * unknown number (TE-6). Beside it, the colleagues with their extension and presence (TM-1).
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useMemo, useState } from "react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { unwrap, type Schemas } from "../../api/client";
import { useRights } from "../../app/rights";
import { useApi, useMe } from "../../app/session";
import { Field, Form, FormError, useFormErrors } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { useUsers } from "../contacts/api";
import { callOffer, type User as TeamUser } from "../team/access";
import { LoadMore, SelectField, formatDateTime } from "../contacts/widgets";
import "../contacts/contacts.css";
import { ClickToCall } from "./ClickToCall";
import { PERIODS, periodRange, splitDuration, type Period } from "./logic";
import { Recording } from "./Recording";
import "./calls.css";

type Call = Schemas["CallOut"];
const DIRECTIONS = ["incoming", "outgoing", "internal"] as const;
const STATUSES = ["answer", "noanswer", "cancel", "busy", "failed"] as const;

interface Filters {
  userId: string; // "" everyone (or, without the right, oneself)
  direction: string;
  status: string;
  period: Period;
  from: string;
  to: string;
  q: string;
}

const EMPTY: Filters = { userId: "", direction: "", status: "", period: "all", from: "", to: "", q: "" };

export function CallLog() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const rights = useRights();
  const seesAll = rights.can("calls_other_users_access");
  const users = useUsers();
  const me = useMe();
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [search, setSearch] = useState("");
  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));

  const query = useMemo(() => {
    const { from, to } = periodRange(filters.period, new Date(), { from: filters.from, to: filters.to });
    return {
      ...(seesAll && filters.userId ? { user_id: filters.userId } : {}),
      ...(filters.direction ? { direction: filters.direction as Schemas["CallDirection"] } : {}),
      ...(filters.status ? { status: filters.status as Schemas["CallStatus"] } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(filters.q ? { q: filters.q } : {}),
    };
  }, [filters, seesAll]);

  const calls = useInfiniteQuery({
    queryKey: ["calls", "log", query],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET("/v1/calls", { params: { query: { limit: 50, ...query, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled: rights.loaded,
  });
  const nameOf = (id: string | null | undefined) => (id ? users.data?.find((u) => u.id === id)?.name : undefined);
  const searchError = search.trim().length === 1 ? t("calls.filters.searchHint") : undefined;

  return (
    <div>
      <h1>{t("calls.title")}</h1>
      <div className="calls__layout">
        <div>
          <section className="panel" aria-label={t("calls.filters.title")}>
            <Form
              error={undefined}
              label={t("calls.filters.search")}
              onSubmit={() => {
                if (!searchError) set({ q: search.trim() });
              }}
            >
              <div className="calls__search">
                <Field
                  label={t("calls.filters.search")}
                  name="q"
                  type="search"
                  value={search}
                  maxLength={100}
                  hint={t("calls.filters.searchHint")}
                  error={searchError}
                  onChange={(e) => {
                    setSearch(e.target.value);
                    if (!e.target.value.trim()) set({ q: "" });
                  }}
                />
                <div className="actions">
                  <button type="submit" className="button button--primary">
                    {t("calls.filters.searchButton")}
                  </button>
                </div>
              </div>
            </Form>
            <div className="calls__filters">
              {seesAll && (
                <SelectField label={t("calls.filters.user")} value={filters.userId} onChange={(e) => set({ userId: e.target.value })}>
                  <option value="">{t("calls.filters.everyone")}</option>
                  {me.data && <option value={me.data.id}>{t("calls.filters.me")}</option>}
                  {users.data
                    ?.filter((u) => u.id !== me.data?.id)
                    .map((u) => (
                      <option key={u.id} value={u.id}>
                        {u.name}
                      </option>
                    ))}
                </SelectField>
              )}
              <SelectField label={t("calls.filters.direction")} value={filters.direction} onChange={(e) => set({ direction: e.target.value })}>
                <option value="">{t("calls.filters.any")}</option>
                {DIRECTIONS.map((d) => (
                  <option key={d} value={d}>
                    {t(`calls.direction.${d}`)}
                  </option>
                ))}
              </SelectField>
              <SelectField label={t("calls.filters.status")} value={filters.status} onChange={(e) => set({ status: e.target.value })}>
                <option value="">{t("calls.filters.any")}</option>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {t(`calls.status.${s}`)}
                  </option>
                ))}
              </SelectField>
              <SelectField label={t("calls.filters.period")} value={filters.period} onChange={(e) => set({ period: e.target.value as Period })}>
                {PERIODS.map((p) => (
                  <option key={p} value={p}>
                    {t(`calls.periods.${p}`)}
                  </option>
                ))}
              </SelectField>
              {filters.period === "custom" && (
                <>
                  <Field label={t("calls.filters.from")} name="from" type="date" value={filters.from} onChange={(e) => set({ from: e.target.value })} />
                  <Field label={t("calls.filters.to")} name="to" type="date" value={filters.to} onChange={(e) => set({ to: e.target.value })} />
                </>
              )}
              <div className="actions">
                <button
                  type="button"
                  className="button button--link"
                  onClick={() => {
                    setFilters(EMPTY);
                    setSearch("");
                  }}
                >
                  {t("calls.filters.clear")}
                </button>
              </div>
            </div>
            {rights.loaded && !seesAll && <p className="muted">{t("calls.filters.only")}</p>}
          </section>
          <QueryState query={calls}>
            {(data) => {
              const items = data.pages.flatMap((p) => p.items);
              return (
                <>
                  {items.length === 0 ? (
                    <p className="empty" role="status">
                      {t("calls.log.none")}
                    </p>
                  ) : (
                    <CallTable calls={items} nameOf={nameOf} language={i18n.language} />
                  )}
                  <LoadMore
                    hasMore={calls.hasNextPage}
                    loading={calls.isFetchingNextPage}
                    onMore={() => {
                      if (!calls.isFetchingNextPage) void calls.fetchNextPage();
                    }}
                    label={t("calls.log.more")}
                  />
                </>
              );
            }}
          </QueryState>
        </div>
        <Colleagues />
      </div>
    </div>
  );
}

function CallTable({ calls, nameOf, language }: { calls: Call[]; nameOf: (id: string | null | undefined) => string | undefined; language: string }) {
  const { t } = useTranslation();
  const [creating, setCreating] = useState<string | null>(null);
  return (
    <div className="calls__scroll">
      <table className="table calls__table">
        <caption className="visually-hidden">{t("calls.log.caption")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("calls.log.when")}</th>
            <th scope="col">{t("calls.log.direction")}</th>
            <th scope="col">{t("calls.log.number")}</th>
            <th scope="col">{t("calls.log.contact")}</th>
            <th scope="col">{t("calls.log.user")}</th>
            <th scope="col">{t("calls.log.status")}</th>
            <th scope="col">{t("calls.log.duration")}</th>
            <th scope="col">{t("calls.log.recording")}</th>
          </tr>
        </thead>
        <tbody>
          {calls.map((call) => {
            const when = formatDateTime(call.started_at, language);
            const phone = call.phone ?? "";
            const external = phone.startsWith("+");
            return (
              <Fragment key={call.id}>
                <tr>
                  <td className="calls__when">{when}</td>
                  <td>{t(`calls.direction.${call.direction}` as "calls.direction.incoming")}</td>
                  <td>{phone ? <ClickToCall phone={phone} contactId={call.contact?.id} /> : ""}</td>
                  <td>
                    {call.contact ? (
                      <Link to={`/${call.contact.type === "lead" ? "leads" : "clients"}/${call.contact.id}`}>{call.contact.name ?? phone}</Link>
                    ) : external ? (
                      <>
                        <span className="muted">{t("calls.log.unknown")}</span>{" "}
                        <button
                          type="button"
                          className="button button--link"
                          aria-expanded={creating === call.id}
                          aria-label={t("calls.create.openFor", { phone })}
                          onClick={() => setCreating(creating === call.id ? null : call.id)}
                        >
                          {t("calls.create.open")}
                        </button>
                      </>
                    ) : (
                      ""
                    )}
                  </td>
                  <td>{nameOf(call.user_id) ?? call.extension ?? ""}</td>
                  <td>{t(`calls.status.${call.status ?? "ongoing"}` as "calls.status.answer")}</td>
                  <td>{duration(call.duration_s, t)}</td>
                  <td>
                    {call.recording === "pending" ? (
                      <span className="muted">{t("calls.recording.pending")}</span>
                    ) : call.recording === "failed" ? (
                      <span className="muted">{t("calls.recording.failed")}</span>
                    ) : call.has_recording ? (
                      <Recording
                        callId={call.id}
                        label={t("calls.recording.player", { phone })}
                        playLabel={t("calls.recording.playOf", { phone, when })}
                      />
                    ) : null}
                    {call.transcript && (
                      <details>
                        <summary>{t("calls.transcript.show")}</summary>
                        <p className="calls__transcript">{call.transcript}</p>
                      </details>
                    )}
                  </td>
                </tr>
                {creating === call.id && (
                  <tr>
                    <td colSpan={8}>
                      <CreateContact call={call} onDone={() => setCreating(null)} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function duration(seconds: number | null | undefined, t: TFunction): string {
  if (seconds === null || seconds === undefined) return "";
  const { m, s } = splitDuration(seconds);
  return m ? t("calls.log.minutes", { m, s }) : t("calls.log.seconds", { count: s });
}

/** TE-6: a client (with `customers_create`) or a lead for the call's unknown number. */
function CreateContact({ call, onDone }: { call: Call; onDone: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const canClient = useRights().can("customers_create");
  const [name, setName] = useState("");
  const [type, setType] = useState<"client" | "lead">(canClient ? "client" : "lead");
  const create = useMutation({
    mutationFn: () =>
      unwrap(api.POST("/v1/calls/{call_id}/contact", { params: { path: { call_id: call.id } }, body: { type, name: name.trim() } })),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ["calls", "log"] });
      onDone();
    },
  });
  const errors = useFormErrors(create.error, ["name", "type"]);
  const phone = call.phone ?? "";
  return (
    <Form error={create.error} label={t("calls.create.title", { phone })} onSubmit={() => create.mutate()}>
      <FormError message={errors.form} />
      <div className="calls__create">
        <Field label={t("calls.create.name")} name="name" value={name} required maxLength={200} onChange={(e) => setName(e.target.value)} error={errors.field("name")} />
        <SelectField label={t("calls.create.type")} value={type} onChange={(e) => setType(e.target.value as "client" | "lead")}>
          {canClient && <option value="client">{t("calls.create.client")}</option>}
          <option value="lead">{t("calls.create.lead")}</option>
        </SelectField>
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={create.isPending || !name.trim()}>
            {t("calls.create.submit")}
          </button>
          <button type="button" className="button" onClick={onDone}>
            {t("calls.create.cancel")}
          </button>
        </div>
      </div>
      {!canClient && <p className="muted">{t("calls.create.noClientRight")}</p>}
    </Form>
  );
}

/** TM-1: colleagues with an extension and whether the PBX sees them online; a click calls them. */
function Colleagues() {
  const { t } = useTranslation();
  const api = useApi();
  const me = useMe();
  const team = useQuery({
    queryKey: ["telephony", "extensions"],
    queryFn: () => unwrap(api.GET("/v1/telephony/extensions")),
    refetchInterval: 30_000,
  });
  return (
    <aside className="panel" aria-labelledby="calls-team">
      <h2 id="calls-team">{t("calls.team.title")}</h2>
      <QueryState query={team}>
        {(data) => {
          // The Team page's rule (team/access.ts): calling a colleague needs one's own extension.
          const self = { id: me.data?.id ?? "", extension: me.data?.extension ?? null };
          const others = data.items
            .map((e) => ({ ...e, offer: callOffer(self, { id: e.user_id, extension: e.extension, status: "active" } as TeamUser) }))
            .filter((e) => e.offer !== "hidden");
          if (others.length === 0) return <p className="muted">{t("calls.team.none")}</p>;
          const reason = others.find((e) => e.offer !== "ok")?.offer;
          return (
            <>
              {reason && reason !== "ok" && reason !== "hidden" && <p id="calls-team-reason" className="muted">{t(reason)}</p>}
              <ul className="calls__team">
                {others.map((e) => (
                  <li key={e.user_id}>
                    <span className={e.online ? "presence presence--online" : "presence"} aria-hidden="true" />
                    <ClickToCall phone={e.extension} label={t("calls.team.call", { name: e.name, extension: e.extension })}
                      disabled={e.offer !== "ok"} describedBy={e.offer !== "ok" ? "calls-team-reason" : undefined}>
                      {e.name} ({e.extension})
                    </ClickToCall>{" "}
                    <span className="muted">
                      {e.online === null ? t("calls.team.unknown") : e.online ? t("calls.team.online") : t("calls.team.offline")}
                    </span>
                  </li>
                ))}
              </ul>
            </>
          );
        }}
      </QueryState>
    </aside>
  );
}
