/**
 * Transfer (TE-5): in the call panel, hand the live call to a colleague, blind or attended.
 * POST /v1/calls/{id}/transfer records it in the call's history and feed and answers the PBX's
 * transfer keys: the web phone sends them on the call; a softphone user is shown them.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap, type Schemas } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useApi, useMe } from "../../app/session";
import { useWebphone } from "./WebPhone";

type Call = Schemas["CallOut"];

export function Transfer({ call }: { call: Call }) {
  const { t } = useTranslation();
  const api = useApi();
  const me = useMe();
  const webphone = useWebphone();
  const client = useQueryClient();
  const id = useId();
  const [userId, setUserId] = useState("");
  const [attended, setAttended] = useState(false);
  // Colleagues with an extension who are not deactivated (invited ones have a phone too).
  const team = useQuery({
    queryKey: ["team", "users", "transfer"],
    queryFn: () => unwrap(api.GET("/v1/users", { params: { query: { limit: 100 } } })),
    staleTime: 60_000,
  });
  const people = (team.data?.items ?? []).filter((u) => u.extension && u.status !== "deactivated");
  const colleagues = people.filter((u) => u.id !== me.data?.id);
  const names = new Map(people.map((u) => [u.id, u.name]));
  const transfer = useMutation({
    mutationFn: () =>
      unwrap(api.POST("/v1/calls/{call_id}/transfer", { params: { path: { call_id: call.id } }, body: { user_id: userId, attended } })),
    onSuccess: async (done) => {
      if (webphone.enabled) webphone.send(done.digits, call.contact?.name ?? call.phone ?? undefined);
      await client.invalidateQueries({ queryKey: ["calls"] });
    },
  });
  const done = transfer.data;
  const history = (done?.call.transfers ?? call.transfers ?? []).map((x) => names.get(x.to_user_id) ?? x.to_extension);

  return (
    <form
      className="call-panel__transfer"
      aria-label={t("webphone.transfer.legend")}
      onSubmit={(e) => {
        e.preventDefault();
        if (userId) transfer.mutate();
      }}
    >
      <strong>{t("webphone.transfer.legend")}</strong>
      {team.isSuccess && colleagues.length === 0 ? (
        <p>{t("webphone.transfer.none")}</p>
      ) : (
        <>
          <label htmlFor={`${id}-colleague`}>{t("webphone.transfer.colleague")}</label>
          <select id={`${id}-colleague`} value={userId} onChange={(e) => setUserId(e.target.value)}>
            <option value="">{t("webphone.transfer.choose")}</option>
            {colleagues.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.extension})
              </option>
            ))}
          </select>
          <label>
            <input type="checkbox" checked={attended} onChange={(e) => setAttended(e.target.checked)} /> {t("webphone.transfer.attended")}
          </label>
          <div className="actions">
            <button type="submit" className="button" disabled={!userId || transfer.isPending}>
              {t("webphone.transfer.submit")}
            </button>
          </div>
        </>
      )}
      {done && (
        <p role="status">
          {t("webphone.transfer.done", { name: names.get(done.to_user_id) ?? done.to_extension, extension: done.to_extension })}
          {!webphone.enabled && <> {t("webphone.transfer.keys", { digits: done.digits })}</>}
        </p>
      )}
      {!done && history.length > 0 && <p>{t("webphone.transfer.history", { names: history.join(", ") })}</p>}
      {transfer.isError && (
        <p role="alert" className="form-error">
          {isApiError(transfer.error) ? transfer.error.message : t("errors.unexpected")}
        </p>
      )}
    </form>
  );
}
