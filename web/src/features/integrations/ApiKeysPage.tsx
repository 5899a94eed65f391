/**
 * Settings → API keys (GET|POST /v1/api-keys, DELETE /v1/api-keys/{id}, GET .../snippet):
 * the caller's keys (an administrator's: every key of the CRM, with its owner), a new key shown
 * once in a dialog, revocation after confirmation, and a forms key's copy-paste website form.
 * A "Teamsale compatible" key (scope `teamsale`, issue 22) shows its user key and secret once.
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap, type Schemas } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useRights } from "../../app/rights";
import { useApi } from "../../app/session";
import { Field, Form, FormError, SelectField, TextAreaField, useFormErrors } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { CodeBlock, CopyButton, Dialog, useDateTime } from "./common";
import { fillSnippet, originsField, parseOrigins } from "./logic";

export const API_KEYS = ["api-keys"] as const;
type ApiKey = Schemas["ApiKeyOut"];
type Created = Schemas["CreatedApiKeyOut"];
type Scope = Schemas["ApiKeyScope"];
const SCOPES: Scope[] = ["api", "forms", "teamsale"];

function useUserNames(enabled: boolean): Map<string, string> {
  const api = useApi();
  const users = useQuery({
    queryKey: ["users", "all"],
    queryFn: () => unwrap(api.GET("/v1/users", { params: { query: { limit: 100 } } })),
    staleTime: 300_000,
    enabled,
  });
  const items = users.data?.items;
  return useMemo(() => new Map((items ?? []).map((u) => [u.id, u.name])), [items]);
}

export function ApiKeysPage() {
  const { t } = useTranslation();
  const api = useApi();
  const rights = useRights();
  const list = useInfiniteQuery({
    queryKey: API_KEYS,
    queryFn: ({ pageParam }) => unwrap(api.GET("/v1/api-keys", { params: { query: { limit: 100, cursor: pageParam ?? undefined } } })),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? null,
  });
  const names = useUserNames(rights.isAdmin);
  const when = useDateTime();
  const [created, setCreated] = useState<Created | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [snippetOf, setSnippetOf] = useState<ApiKey | null>(null);
  return (
    <>
      <h1>{t("integrations.apiKeys.title")}</h1>
      <p>{t("integrations.apiKeys.intro")}</p>
      <p>{t("integrations.apiKeys.zapier", { address: window.location.origin })}</p>
      <QueryState query={list}>
        {(data) => {
          const items = data.pages.flatMap((page) => page.items);
          return (
            <section className="card" aria-labelledby="api-keys-heading">
              <h2 id="api-keys-heading">{t(rights.isAdmin ? "integrations.apiKeys.listAll" : "integrations.apiKeys.list")}</h2>
              {items.length === 0 ? (
                <p>{t("integrations.apiKeys.none")}</p>
              ) : (
                <table className="settings__table">
                  <thead>
                    <tr>
                      <th scope="col">{t("integrations.apiKeys.name")}</th>
                      <th scope="col">{t("integrations.apiKeys.scope")}</th>
                      <th scope="col">{t("integrations.apiKeys.prefix")}</th>
                      <th scope="col">{t("integrations.apiKeys.created")}</th>
                      <th scope="col">{t("integrations.apiKeys.lastUsed")}</th>
                      {rights.isAdmin && <th scope="col">{t("integrations.apiKeys.owner")}</th>}
                      <td />
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((key) => (
                      <tr key={key.id}>
                        <th scope="row">{key.name}</th>
                        <td>{t(`integrations.apiKeys.scopes.${key.scope as Scope}`)}</td>
                        <td><code>{key.prefix}</code></td>
                        <td>{when(key.created_at)}</td>
                        <td>{when(key.last_used_at)}</td>
                        {rights.isAdmin && <td>{names.get(key.user_id) ?? key.user_id}</td>}
                        <td className="settings__cell-actions">
                          {key.scope === "forms" && (
                            <button type="button" className="button" onClick={() => setSnippetOf(key)}
                              aria-label={t("integrations.apiKeys.snippetShow", { name: key.name })}>
                              {t("integrations.apiKeys.snippet")}
                            </button>
                          )}
                          <button type="button" className="button" onClick={() => setRevoking(key)}
                            aria-label={t("integrations.apiKeys.revoke", { name: key.name })}>
                            {t("integrations.apiKeys.revokeShort")}
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {list.hasNextPage && (
                <button type="button" className="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
                  {t("integrations.apiKeys.more")}
                </button>
              )}
            </section>
          );
        }}
      </QueryState>
      <NewApiKey onCreated={setCreated} />
      {created && <CreatedKeyDialog created={created} onClose={() => setCreated(null)} />}
      {revoking && <RevokeDialog apiKey={revoking} onClose={() => setRevoking(null)} />}
      {snippetOf && (
        <Dialog title={t("integrations.apiKeys.snippetTitle", { name: snippetOf.name })} onClose={() => setSnippetOf(null)}>
          <Snippet apiKey={snippetOf} />
          <div className="actions">
            <button type="button" className="button button--primary" onClick={() => setSnippetOf(null)}>
              {t("integrations.close")}
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}

function NewApiKey({ onCreated }: { onCreated: (key: Created) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [scope, setScope] = useState<Scope>("api");
  const [origins, setOrigins] = useState("");
  const [rateLimit, setRateLimit] = useState("60");
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/v1/api-keys", {
          body: {
            name: name.trim(),
            scope,
            allowed_origins: parseOrigins(origins),
            rate_limit: rateLimit.trim() === "" ? 60 : Number(rateLimit),
          },
        }),
      ),
    onSuccess: async (key) => {
      setName("");
      setOrigins("");
      setRateLimit("60");
      onCreated(key);
      await queryClient.invalidateQueries({ queryKey: API_KEYS });
    },
  });
  const errors = useFormErrors(create.error, ["name", "scope", "allowed_origins", "rate_limit"]);
  // A list item's error (`allowed_origins.1`) is shown on the list's field, not above the form.
  const itemError = isApiError(create.error) && originsField(create.error.field) === "allowed_origins" ? create.error.message : undefined;
  const originsError = errors.field("allowed_origins") ?? itemError;
  const formError = itemError ? undefined : errors.form;
  return (
    <section className="card" aria-labelledby="new-api-key-heading">
      <h2 id="new-api-key-heading">{t("integrations.apiKeys.createTitle")}</h2>
      <Form error={create.error} label={t("integrations.apiKeys.createTitle")} onSubmit={() => create.mutate()}>
        <FormError message={formError} />
        <div className="settings__row">
          <Field label={t("integrations.apiKeys.name")} name="name" value={name} required maxLength={100}
            onChange={(e) => setName(e.target.value)} error={errors.field("name")} />
          <SelectField label={t("integrations.apiKeys.scope")} value={scope} error={errors.field("scope")}
            onChange={(e) => setScope(e.target.value as Scope)}>
            {SCOPES.map((s) => (
              <option key={s} value={s}>{t(`integrations.apiKeys.scopes.${s}`)}</option>
            ))}
          </SelectField>
          {scope !== "teamsale" && (
            <Field label={t("integrations.apiKeys.rateLimit")} name="rate_limit" type="number" min={1} max={1000} inputMode="numeric"
              value={rateLimit} onChange={(e) => setRateLimit(e.target.value)} hint={t("integrations.apiKeys.rateLimitHint")}
              error={errors.field("rate_limit")} />
          )}
        </div>
        {scope === "teamsale" ? (
          <p>{t("integrations.apiKeys.teamsaleHint", { address: window.location.origin })}</p>
        ) : (
          <TextAreaField label={t("integrations.apiKeys.origins")} name="allowed_origins" className="integrations-origins" rows={3}
            value={origins} onChange={(e) => setOrigins(e.target.value)} hint={t("integrations.apiKeys.originsHint")}
            error={originsError} />
        )}
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={create.isPending}>
            {create.isPending ? t("integrations.apiKeys.creating") : t("integrations.apiKeys.create")}
          </button>
        </div>
      </Form>
    </section>
  );
}

/** The new key, shown this once; a forms key's snippet comes with it, the key filled in. */
function CreatedKeyDialog({ created, onClose }: { created: Created; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Dialog title={t("integrations.apiKeys.createdTitle", { name: created.name })} onClose={onClose}>
      <p className="integrations-warning" role="alert">
        {t(created.secret ? "integrations.apiKeys.createdWarningTeamsale" : "integrations.apiKeys.createdWarning")}
      </p>
      <Field label={t(created.secret ? "integrations.apiKeys.userKey" : "integrations.apiKeys.key")} name="key" value={created.key}
        readOnly className="integrations-secret" onFocus={(e) => e.target.select()} />
      <CopyButton value={created.key} label={t(created.secret ? "integrations.apiKeys.copyUserKey" : "integrations.apiKeys.copyKey")} />
      {created.secret && (
        <>
          <Field label={t("integrations.apiKeys.secret")} name="secret" value={created.secret} readOnly className="integrations-secret"
            onFocus={(e) => e.target.select()} />
          <CopyButton value={created.secret} label={t("integrations.apiKeys.copySecret")} />
        </>
      )}
      {created.scope === "forms" && <Snippet apiKey={created} secret={created.key} />}
      <div className="actions">
        <button type="button" className="button button--primary" onClick={onClose}>
          {t("integrations.apiKeys.done")}
        </button>
      </div>
    </Dialog>
  );
}

function Snippet({ apiKey, secret }: { apiKey: ApiKey; secret?: string }) {
  const { t } = useTranslation();
  const api = useApi();
  const snippet = useQuery({
    queryKey: [...API_KEYS, apiKey.id, "snippet"],
    queryFn: () => unwrap(api.GET("/v1/api-keys/{api_key_id}/snippet", { params: { path: { api_key_id: apiKey.id } } })),
    staleTime: Infinity,
  });
  return (
    <section aria-label={t("integrations.apiKeys.snippet")}>
      <h3>{t("integrations.apiKeys.snippet")}</h3>
      <p>{t("integrations.apiKeys.snippetIntro")}</p>
      <QueryState query={snippet}>
        {(data) => {
          const out = fillSnippet(data.html, apiKey.prefix, secret);
          return (
            <>
              <p>{out.filled ? t("integrations.apiKeys.snippetFilled") : t("integrations.apiKeys.snippetPaste")}</p>
              <CodeBlock label={t("integrations.apiKeys.snippetCode")} code={out.html} copyLabel={t("integrations.apiKeys.copySnippet")} />
            </>
          );
        }}
      </QueryState>
    </section>
  );
}

function RevokeDialog({ apiKey, onClose }: { apiKey: ApiKey; onClose: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => unwrap(api.DELETE("/v1/api-keys/{api_key_id}", { params: { path: { api_key_id: apiKey.id } } })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: API_KEYS });
      onClose();
    },
  });
  const errors = useFormErrors(revoke.error, []);
  return (
    <Dialog title={t("integrations.apiKeys.revokeTitle", { name: apiKey.name })} onClose={onClose}>
      <p>{t("integrations.apiKeys.confirmRevoke")}</p>
      <FormError message={errors.form} />
      <div className="actions">
        <button type="button" className="button button--danger" onClick={() => revoke.mutate()} disabled={revoke.isPending}>
          {t("integrations.apiKeys.confirm")}
        </button>
        <button type="button" className="button" onClick={onClose}>{t("integrations.cancel")}</button>
      </div>
    </Dialog>
  );
}
