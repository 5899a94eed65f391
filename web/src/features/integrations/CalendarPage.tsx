/**
 * Settings → Google Calendar (GET /v1/google/connect, GET|PUT|DELETE /v1/settings/calendar,
 * POST /v1/settings/calendar/sync): connect (Google's consent page, back through the API's
 * callback to `?google=connected|error`), status with a reconnect call to action, options,
 * sync now, disconnect after confirmation.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useLocation, useNavigate } from "react-router";

import { unwrap, type Schemas } from "../../api/client";
import { useApi } from "../../app/session";
import { Form, FormError, useFormErrors } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { Dialog, useDateTime } from "./common";
import { calendarState, callbackResult } from "./logic";

export const CALENDAR = ["settings", "calendar"] as const;
type CalendarSettings = Schemas["CalendarSettingsOut"];

export function CalendarPage() {
  const { t } = useTranslation();
  const api = useApi();
  const location = useLocation();
  const navigate = useNavigate();
  const [result, setResult] = useState<"connected" | "error" | null>(null);
  useEffect(() => {
    const { result: back, rest } = callbackResult(location.search);
    if (back) {
      setResult(back);
      void navigate({ pathname: location.pathname, search: rest }, { replace: true });
    }
  }, [location.pathname, location.search, navigate]);
  const settings = useQuery({
    queryKey: CALENDAR,
    queryFn: () => unwrap(api.GET("/v1/settings/calendar")),
  });
  return (
    <>
      <h1>{t("integrations.calendar.title")}</h1>
      <p>{t("integrations.calendar.intro")}</p>
      {result && (
        <p role={result === "error" ? "alert" : "status"} className={result === "error" ? "form-error" : "notice"}>
          {t(result === "connected" ? "integrations.calendar.connectedOk" : "integrations.calendar.connectFailed")}
        </p>
      )}
      <QueryState query={settings}>{(data) => <Connection settings={data} onDisconnected={() => setResult(null)} />}</QueryState>
    </>
  );
}

function ConnectButton({ label }: { label: string }) {
  const { t } = useTranslation();
  const api = useApi();
  const connect = useMutation({
    mutationFn: () => unwrap(api.GET("/v1/google/connect")),
    onSuccess: ({ url }) => window.location.assign(url),
  });
  const errors = useFormErrors(connect.error, []);
  return (
    <>
      <FormError message={errors.form} />
      <button type="button" className="button button--primary" onClick={() => connect.mutate()} disabled={connect.isPending || connect.isSuccess}>
        {connect.isPending || connect.isSuccess ? t("integrations.calendar.connecting") : label}
      </button>
    </>
  );
}

function Connection({ settings, onDisconnected }: { settings: CalendarSettings; onDisconnected: () => void }) {
  const { t } = useTranslation();
  const when = useDateTime();
  const state = calendarState(settings);
  const [disconnecting, setDisconnecting] = useState(false);
  if (state === "disconnected") {
    return (
      <section className="card" aria-labelledby="calendar-connection">
        <h2 id="calendar-connection">{t("integrations.calendar.status")}</h2>
        <p>{t("integrations.calendar.notConnected")}</p>
        <ConnectButton label={t("integrations.calendar.connect")} />
      </section>
    );
  }
  return (
    <>
      <section className="card" aria-labelledby="calendar-connection">
        <h2 id="calendar-connection">{t("integrations.calendar.status")}</h2>
        <dl className="integrations-facts">
          <dt>{t("integrations.calendar.account")}</dt>
          <dd>{settings.google_email ?? "—"}</dd>
          {settings.calendar_id && (
            <>
              <dt>{t("integrations.calendar.calendarId")}</dt>
              <dd>{settings.calendar_id}</dd>
            </>
          )}
          <dt>{t("integrations.calendar.status")}</dt>
          <dd>{t(`integrations.calendar.statuses.${state}`)}</dd>
          <dt>{t("integrations.calendar.lastSync")}</dt>
          <dd>{settings.last_sync_at ? when(settings.last_sync_at) : t("integrations.calendar.neverSynced")}</dd>
        </dl>
        {state === "needs_reauth" && (
          <div role="alert" className="notice">
            <p>{t("integrations.calendar.needsReauth")}</p>
            <ConnectButton label={t("integrations.calendar.reconnect")} />
          </div>
        )}
        {state === "error" && (
          <p role="alert" className="form-error">{t("integrations.calendar.error", { error: settings.last_error ?? "—" })}</p>
        )}
        <div className="actions">
          <SyncNow />
          <button type="button" className="button" onClick={() => setDisconnecting(true)}>{t("integrations.calendar.disconnect")}</button>
        </div>
      </section>
      <Options settings={settings} />
      {disconnecting && <DisconnectDialog onClose={() => setDisconnecting(false)} onDone={onDisconnected} />}
    </>
  );
}

function SyncNow() {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const sync = useMutation({
    mutationFn: () => unwrap(api.POST("/v1/settings/calendar/sync")),
    onSuccess: (data) => queryClient.setQueryData(CALENDAR, data),
  });
  const errors = useFormErrors(sync.error, []);
  return (
    <>
      <button type="button" className="button" onClick={() => sync.mutate()} disabled={sync.isPending}>{t("integrations.calendar.syncNow")}</button>
      <span role="status">{sync.isSuccess ? t("integrations.calendar.syncStarted") : ""}</span>
      <FormError message={errors.form} />
    </>
  );
}

function Options({ settings }: { settings: CalendarSettings }) {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const [push, setPush] = useState(settings.push_crm_to_google);
  const [pull, setPull] = useState(settings.pull_google_to_crm);
  const save = useMutation({
    mutationFn: () =>
      unwrap(api.PUT("/v1/settings/calendar", { body: { push_crm_to_google: push, pull_google_to_crm: pull } })),
    onSuccess: (data) => queryClient.setQueryData(CALENDAR, data),
  });
  const errors = useFormErrors(save.error, []);
  return (
    <section className="card" aria-labelledby="calendar-options">
      <h2 id="calendar-options">{t("integrations.calendar.options")}</h2>
      <Form error={save.error} label={t("integrations.calendar.options")} onSubmit={() => save.mutate()}>
        <FormError message={errors.form} />
        <label className="settings__check">
          <input type="checkbox" name="push_crm_to_google" checked={push} onChange={(e) => { save.reset(); setPush(e.target.checked); }} />
          {t("integrations.calendar.push")}
        </label>
        <label className="settings__check">
          <input type="checkbox" name="pull_google_to_crm" checked={pull} onChange={(e) => { save.reset(); setPull(e.target.checked); }} />
          {t("integrations.calendar.pull")}
        </label>
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={save.isPending}>{t("integrations.calendar.save")}</button>
          <span role="status">{save.isSuccess ? t("integrations.calendar.saved") : ""}</span>
        </div>
      </Form>
    </section>
  );
}

function DisconnectDialog({ onClose, onDone }: { onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const disconnect = useMutation({
    mutationFn: () => unwrap(api.DELETE("/v1/settings/calendar")),
    onSuccess: async () => {
      onDone();
      await queryClient.invalidateQueries({ queryKey: CALENDAR });
      onClose();
    },
  });
  const errors = useFormErrors(disconnect.error, []);
  return (
    <Dialog title={t("integrations.calendar.disconnectTitle")} onClose={onClose}>
      <p>{t("integrations.calendar.confirmDisconnect")}</p>
      <FormError message={errors.form} />
      <div className="actions">
        <button type="button" className="button button--danger" onClick={() => disconnect.mutate()} disabled={disconnect.isPending}>
          {t("integrations.calendar.confirm")}
        </button>
        <button type="button" className="button" onClick={onClose}>{t("integrations.cancel")}</button>
      </div>
    </Dialog>
  );
}
