/** The deal page's "Email" action: compose to the deal's client, recorded in the deal's feed. */
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap } from "../../api/client";
import { useApi } from "../../app/session";
import { EmailCompose } from "./EmailCompose";

export function DealEmail({ dealId, clientId }: { dealId: string; clientId: string }) {
  const { t } = useTranslation();
  const api = useApi();
  const [open, setOpen] = useState(false);
  const [sent, setSent] = useState("");
  const client = useQuery({
    queryKey: ["clients", "card", clientId],
    queryFn: () => unwrap(api.GET("/v1/clients/{client_id}", { params: { path: { client_id: clientId } } })),
    enabled: open,
  });
  return (
    <>
      <div className="card-actions actions">
        <button type="button" className="button" aria-expanded={open} onClick={() => { setSent(""); setOpen(!open); }}>
          {t("email.compose.action")}
        </button>
      </div>
      <p role="status">{sent ? t("email.compose.sent", { to: sent }) : ""}</p>
      {open && client.isSuccess && (
        <EmailCompose
          target={{ contact: { kind: "client", id: clientId }, dealId }}
          to={client.data.emails.slice(0, 1).map((e) => e.email)}
          title={t("email.compose.title")}
          onCancel={() => setOpen(false)}
          onDone={(to) => {
            setOpen(false);
            setSent(to);
          }}
        />
      )}
    </>
  );
}
