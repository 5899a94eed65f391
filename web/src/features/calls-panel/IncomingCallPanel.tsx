/**
 * The incoming call panel (issue 16 item 9): polls GET /v1/calls/current while the app is
 * open; when the PBX rings the signed-in user (or they answered), it shows the caller's card,
 * or "unknown number" with one-click create client / lead (TE-6), and a notes box usable
 * during the call (the note lands in the caller's feed).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { unwrap, type Schemas } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useApi } from "../../app/session";
import { ClickToCall } from "../calls/ClickToCall";
import { Transfer } from "../webphone/Transfer";
import "./panel.css";

export const POLL_MS = 2500;
type Call = Schemas["CallOut"];

export function IncomingCallPanel() {
  const api = useApi();
  const current = useQuery({
    queryKey: ["calls", "current"],
    queryFn: () => unwrap(api.GET("/v1/calls/current")),
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: true,
    staleTime: 0,
    retry: false,
  });
  const [dismissed, setDismissed] = useState<string | null>(null);
  const [kept, setKept] = useState<Call | null>(null); // the call whose notes are still being written
  const call = current.data?.call ?? kept;
  if (!call || call.id === dismissed) return null;
  return (
    <Panel
      key={call.id}
      call={call}
      live={current.data?.call?.id === call.id}
      onKeep={(keep) => setKept(keep ? call : null)}
      onDismiss={() => {
        setDismissed(call.id);
        setKept(null);
      }}
    />
  );
}

function Panel({ call, live, onKeep, onDismiss }: { call: Call; live: boolean; onKeep: (keep: boolean) => void; onDismiss: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const [note, setNote] = useState("");
  const [name, setName] = useState("");
  const contact = call.contact;
  const path = contact ? `/${contact.type === "lead" ? "leads" : "clients"}/${contact.id}` : null;

  const save = useMutation({
    mutationFn: () => {
      if (!contact) throw new Error("no contact");
      const body = { text: note };
      return contact.type === "lead"
        ? unwrap(api.POST("/v1/leads/{lead_id}/notes", { params: { path: { lead_id: contact.id } }, body }))
        : unwrap(api.POST("/v1/clients/{client_id}/notes", { params: { path: { client_id: contact.id } }, body }));
    },
    onSuccess: async () => {
      setNote("");
      onKeep(false);
      if (contact) await client.invalidateQueries({ queryKey: [contact.type === "lead" ? "leads" : "clients", "feed", contact.id] });
    },
  });
  const create = useMutation({
    mutationFn: (type: "client" | "lead") =>
      unwrap(api.POST("/v1/calls/{call_id}/contact", { params: { path: { call_id: call.id } }, body: { type, name: name || (call.phone ?? "") } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["calls", "current"] }),
  });
  const error = save.error ?? create.error;

  return (
    <aside className="call-panel" aria-labelledby="call-panel-title">
      <div className="call-panel__head">
        <h2 id="call-panel-title">{t(call.status === null && call.user_id ? "calls-panel.answered" : "calls-panel.title")}</h2>
        <button type="button" className="button button--link" onClick={onDismiss}>
          {t("calls-panel.dismiss")}
        </button>
      </div>
      <div role="status" aria-live="polite">
        {contact ? (
          <p className="call-panel__who">
            <strong>{contact.name}</strong> · {t(`calls-panel.${contact.type === "lead" ? "lead" : "client"}`)}
          </p>
        ) : (
          <p className="call-panel__who">
            <strong>{t("calls-panel.unknown")}</strong>
          </p>
        )}
      </div>
      <p className="call-panel__phone">
        {call.phone ? (
          <>
            {t("calls-panel.fromLabel")}{" "}
            <ClickToCall phone={call.phone} contactId={contact && contact.type !== "user" ? contact.id : undefined}
              label={t("calls-panel.callBack", { phone: call.phone })} />
          </>
        ) : (
          t("calls-panel.from", { phone: "?" })
        )}
      </p>
      {contact && path && (
        <p>
          <Link to={path}>{t("calls-panel.openCard")}</Link>
        </p>
      )}
      {!contact && live && (
        <div className="call-panel__create">
          <label htmlFor="call-panel-name">{t("calls-panel.name")}</label>
          <input id="call-panel-name" value={name} onChange={(e) => setName(e.target.value)} />
          <div className="actions">
            <button type="button" className="button" disabled={create.isPending} onClick={() => create.mutate("client")}>
              {t("calls-panel.createClient")}
            </button>
            <button type="button" className="button" disabled={create.isPending} onClick={() => create.mutate("lead")}>
              {t("calls-panel.createLead")}
            </button>
          </div>
        </div>
      )}
      {live && call.status === null && <Transfer call={call} />}
      {contact && (
        <form
          aria-label={t("calls-panel.notes")}
          onSubmit={(e) => {
            e.preventDefault();
            if (note.trim()) save.mutate();
          }}
        >
          <label htmlFor="call-panel-notes">{t("calls-panel.notes")}</label>
          <textarea
            id="call-panel-notes"
            value={note}
            onChange={(e) => {
              setNote(e.target.value);
              onKeep(e.target.value.trim() !== "");
            }}
          />
          <div className="actions">
            <button type="submit" className="button button--primary" disabled={save.isPending || !note.trim()}>
              {t("calls-panel.saveNote")}
            </button>
          </div>
          {save.isSuccess && <p role="status">{t("calls-panel.noteSaved")}</p>}
        </form>
      )}
      {error && (
        <p role="alert" className="form-error">
          {isApiError(error) ? error.message : t("errors.unexpected")}
        </p>
      )}
    </aside>
  );
}
