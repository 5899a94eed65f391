/**
 * Settings → Webhooks (GET|POST /v1/hooks, DELETE /v1/hooks/{id}, GET /v1/hooks/{id}/deliveries):
 * the caller's hooks (an administrator's: the CRM's), a new hook's secret shown once, deletion
 * after confirmation, and each hook's delivery log.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap, type Schemas } from "../../api/client";
import { useApi } from "../../app/session";
import { Field, Form, FormError, SelectField, useFormErrors } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { CopyButton, Dialog, useDateTime } from "./common";

export const HOOKS = ["hooks"] as const;
type Hook = Schemas["HookOut"];
type HookCreated = Schemas["HookCreated"];
type HookEvent = Schemas["HookEvent"];

/** Every event of the API, in the order the form offers them (a new event fails the type check). */
const EVENTS: Record<HookEvent, true> = {
  "lead.created": true,
  "client.created": true,
  "deal.created": true,
  "deal.status_changed": true,
  "task.created": true,
  "task.completed": true,
  "call.completed": true,
};
const HOOK_EVENTS = Object.keys(EVENTS) as HookEvent[];

export function WebhooksPage() {
  const { t } = useTranslation();
  const api = useApi();
  const list = useQuery({
    queryKey: HOOKS,
    queryFn: () => unwrap(api.GET("/v1/hooks")),
  });
  const when = useDateTime();
  const [created, setCreated] = useState<HookCreated | null>(null);
  const [removing, setRemoving] = useState<Hook | null>(null);
  const [logOf, setLogOf] = useState<string | null>(null);
  return (
    <>
      <h1>{t("integrations.webhooks.title")}</h1>
      <p>{t("integrations.webhooks.intro")}</p>
      <QueryState query={list}>
        {(data) => (
          <section className="card" aria-labelledby="hooks-heading">
            <h2 id="hooks-heading">{t("integrations.webhooks.list")}</h2>
            {data.items.length === 0 ? (
              <p>{t("integrations.webhooks.none")}</p>
            ) : (
              <table className="settings__table">
                <thead>
                  <tr>
                    <th scope="col">{t("integrations.webhooks.event")}</th>
                    <th scope="col">{t("integrations.webhooks.target")}</th>
                    <th scope="col">{t("integrations.webhooks.status")}</th>
                    <th scope="col">{t("integrations.webhooks.created")}</th>
                    <td />
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((hook) => (
                    <HookRow key={hook.id} hook={hook} created={when(hook.created_at)} showingLog={logOf === hook.id}
                      onLog={() => setLogOf(logOf === hook.id ? null : hook.id)} onRemove={() => setRemoving(hook)} />
                  ))}
                </tbody>
              </table>
            )}
          </section>
        )}
      </QueryState>
      {logOf && list.data?.items.some((h) => h.id === logOf) && (
        <DeliveryLog hook={list.data.items.find((h) => h.id === logOf) as Hook} />
      )}
      <NewHook onCreated={setCreated} />
      {created && (
        <Dialog title={t("integrations.webhooks.secretTitle")} onClose={() => setCreated(null)}>
          <p className="integrations-warning" role="alert">{t("integrations.webhooks.secretWarning")}</p>
          <Field label={t("integrations.webhooks.secret")} name="secret" value={created.secret} readOnly className="integrations-secret"
            onFocus={(e) => e.target.select()} />
          <CopyButton value={created.secret} label={t("integrations.webhooks.copySecret")} />
          <div className="actions">
            <button type="button" className="button button--primary" onClick={() => setCreated(null)}>
              {t("integrations.webhooks.done")}
            </button>
          </div>
        </Dialog>
      )}
      {removing && <RemoveDialog hook={removing} onClose={() => setRemoving(null)} onRemoved={() => logOf === removing.id && setLogOf(null)} />}
    </>
  );
}

function HookRow({ hook, created, showingLog, onLog, onRemove }: {
  hook: Hook;
  created: string;
  showingLog: boolean;
  onLog: () => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation();
  const name = hook.target_url;
  return (
    <tr>
      <th scope="row">{t(`integrations.webhooks.events.${hook.event}`)}</th>
      <td><code>{hook.target_url}</code></td>
      <td>
        {t(`integrations.webhooks.statuses.${hook.status}`)}
        {hook.status === "disabled" && <p className="field__hint">{t("integrations.webhooks.disabledHint")}</p>}
      </td>
      <td>{created}</td>
      <td className="settings__cell-actions">
        <button type="button" className="button" aria-expanded={showingLog} onClick={onLog}
          aria-label={t("integrations.webhooks.deliveries", { name })}>
          {t("integrations.webhooks.deliveriesTitle")}
        </button>
        <button type="button" className="button" onClick={onRemove} aria-label={t("integrations.webhooks.remove", { name })}>
          {t("integrations.webhooks.removeShort")}
        </button>
      </td>
    </tr>
  );
}

function DeliveryLog({ hook }: { hook: Hook }) {
  const { t } = useTranslation();
  const api = useApi();
  const when = useDateTime();
  const log = useQuery({
    queryKey: [...HOOKS, hook.id, "deliveries"],
    queryFn: () =>
      unwrap(api.GET("/v1/hooks/{hook_id}/deliveries", { params: { path: { hook_id: hook.id } } })),
    // Open while the user waits for a delivery (the worker runs every minute, every 3 s locally).
    refetchInterval: 5_000,
  });
  return (
    <section className="card integrations-log" aria-label={t("integrations.webhooks.deliveries", { name: hook.target_url })}>
      <h2>{t("integrations.webhooks.deliveriesTitle")}</h2>
      <p><code>{hook.target_url}</code> — {t(`integrations.webhooks.events.${hook.event}`)}</p>
      <QueryState query={log}>
        {(data) =>
          data.items.length === 0 ? (
            <p>{t("integrations.webhooks.noDeliveries")}</p>
          ) : (
            <table className="settings__table">
              <thead>
                <tr>
                  <th scope="col">{t("integrations.webhooks.time")}</th>
                  <th scope="col">{t("integrations.webhooks.outcome")}</th>
                  <th scope="col" className="settings__num">{t("integrations.webhooks.code")}</th>
                  <th scope="col" className="settings__num">{t("integrations.webhooks.attempt")}</th>
                  <th scope="col">{t("integrations.webhooks.error")}</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((a) => (
                  <tr key={a.id}>
                    <td>{when(a.at)}</td>
                    <td>{t(`integrations.webhooks.outcomes.${a.status}`)}</td>
                    <td className="settings__num">{a.response_code ?? t("integrations.webhooks.noAnswer")}</td>
                    <td className="settings__num">{a.attempt}</td>
                    <td>{a.error ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </QueryState>
    </section>
  );
}

function NewHook({ onCreated }: { onCreated: (hook: HookCreated) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const [event, setEvent] = useState<HookEvent>("lead.created");
  const [target, setTarget] = useState("");
  const create = useMutation({
    mutationFn: () => unwrap(api.POST("/v1/hooks", { body: { event, target_url: target.trim() } })),
    onSuccess: async (hook) => {
      setTarget("");
      onCreated(hook);
      await queryClient.invalidateQueries({ queryKey: HOOKS });
    },
  });
  const errors = useFormErrors(create.error, ["event", "target_url"]);
  return (
    <section className="card" aria-labelledby="new-hook-heading">
      <h2 id="new-hook-heading">{t("integrations.webhooks.createTitle")}</h2>
      <Form error={create.error} label={t("integrations.webhooks.createTitle")} onSubmit={() => create.mutate()}>
        <FormError message={errors.form} />
        <div className="settings__row">
          <SelectField label={t("integrations.webhooks.event")} value={event} error={errors.field("event")}
            onChange={(e) => setEvent(e.target.value as HookEvent)}>
            {HOOK_EVENTS.map((e) => (
              <option key={e} value={e}>{t(`integrations.webhooks.events.${e}`)}</option>
            ))}
          </SelectField>
          <Field label={t("integrations.webhooks.target")} name="target_url" type="url" value={target} required
            onChange={(e) => setTarget(e.target.value)} hint={t("integrations.webhooks.targetHint")} error={errors.field("target_url")} />
        </div>
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={create.isPending}>{t("integrations.webhooks.create")}</button>
        </div>
      </Form>
    </section>
  );
}

function RemoveDialog({ hook, onClose, onRemoved }: { hook: Hook; onClose: () => void; onRemoved: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE("/v1/hooks/{hook_id}", { params: { path: { hook_id: hook.id } } })),
    onSuccess: async () => {
      onRemoved();
      await queryClient.invalidateQueries({ queryKey: HOOKS });
      onClose();
    },
  });
  const errors = useFormErrors(remove.error, []);
  return (
    <Dialog title={t("integrations.webhooks.removeTitle", { name: hook.target_url })} onClose={onClose}>
      <p>{t("integrations.webhooks.confirmRemove")}</p>
      <FormError message={errors.form} />
      <div className="actions">
        <button type="button" className="button button--danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
          {t("integrations.webhooks.confirm")}
        </button>
        <button type="button" className="button" onClick={onClose}>{t("integrations.cancel")}</button>
      </div>
    </Dialog>
  );
}
