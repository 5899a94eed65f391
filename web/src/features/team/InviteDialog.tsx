/** Invite people: by email (several at once) or with a shareable single-use link into a group. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap } from "../../api/client";
import { useRights } from "../../app/rights";
import { useApi } from "../../app/session";
import { Form, FormError, useFormErrors } from "../../components/forms";
import { movableGroups, parseEmails, type Group } from "./access";
import { Dialog, SelectField } from "./Dialog";
import { INVITATIONS, TEAM, useInvitations } from "./hooks";

export function InviteDialog({ groups, onClose }: { groups: Group[]; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const rights = useRights();
  const queryClient = useQueryClient();
  const choices = movableGroups(rights, groups);
  const defaultGroup = choices.find((g) => g.type === "manager")?.id ?? choices[0]?.id ?? "";
  const options = choices.map((g) => ({ value: g.id, label: g.title }));
  const emailsId = useId();
  const [emails, setEmails] = useState("");
  const [emailGroup, setEmailGroup] = useState(defaultGroup);
  const [linkGroup, setLinkGroup] = useState(defaultGroup);
  const [copied, setCopied] = useState(false);
  const [empty, setEmpty] = useState(false);
  const pending = useInvitations();
  const when = (iso: string) =>
    new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));

  const send = useMutation({
    mutationFn: (list: string[]) => unwrap(api.POST("/v1/invitations", { body: { emails: list, group_id: emailGroup || null } })),
    onSuccess: () => {
      setEmails("");
      void queryClient.invalidateQueries({ queryKey: TEAM });
    },
  });
  const link = useMutation({
    mutationFn: () => unwrap(api.POST("/v1/invitation-links", { body: { group_id: linkGroup || null } })),
    onSuccess: () => {
      setCopied(false);
      void queryClient.invalidateQueries({ queryKey: INVITATIONS });
    },
  });
  const sendErrors = useFormErrors(send.error, ["emails", "group_id"]);
  // "emails.1: ..." names one address of the list: shown on the list's field.
  const emailsError = empty
    ? t("team.invite.emptyEmails")
    : (sendErrors.field("emails") ?? (send.error && sendErrors.form?.startsWith("emails") ? sendErrors.form : undefined));
  const linkErrors = useFormErrors(link.error, ["group_id"]);
  const groupTitle = (id: string) => groups.find((g) => g.id === id)?.title ?? id;

  return (
    <Dialog title={t("team.invite.title")} onClose={onClose}>
      <section aria-labelledby={`${emailsId}-email`} className="team-invite">
        <h3 id={`${emailsId}-email`}>{t("team.invite.byEmail")}</h3>
        <Form error={empty || send.error} label={t("team.invite.byEmail")} onSubmit={() => {
            const list = parseEmails(emails);
            setEmpty(list.length === 0);
            if (list.length > 0) send.mutate(list);
          }}>
          <FormError message={emailsError ? undefined : sendErrors.form} />
          <div className={emailsError ? "field field--invalid" : "field"}>
            <label htmlFor={emailsId}>{t("team.invite.emails")}</label>
            <textarea id={emailsId} rows={3} value={emails} onChange={(e) => setEmails(e.target.value)}
              aria-invalid={emailsError ? true : undefined}
              aria-describedby={`${emailsId}-hint${emailsError ? ` ${emailsId}-error` : ""}`} />
            <p id={`${emailsId}-hint`} className="field__hint">{t("team.invite.emailsHint")}</p>
            {emailsError && <p id={`${emailsId}-error`} className="field__error">{emailsError}</p>}
          </div>
          <SelectField label={t("team.invite.group")} value={emailGroup} onChange={setEmailGroup} options={options}
            error={sendErrors.field("group_id")} />
          <div className="actions">
            <button type="submit" className="button button--primary" disabled={send.isPending}>
              {send.isPending ? t("team.invite.sending") : t("team.invite.send")}
            </button>
          </div>
        </Form>
        {send.data && (
          <div role="status">
            <ul aria-label={t("team.invite.sent")} className="team-invite__results">
              {send.data.items.map((item) => (
                <li key={item.email}>
                  {item.email}: {t(`team.invite.result.${item.status as "sent" | "already_member" | "failed"}`, item.status)}
                </li>
              ))}
            </ul>
          </div>
        )}
      </section>

      <section aria-labelledby={`${emailsId}-link`} className="team-invite">
        <h3 id={`${emailsId}-link`}>{t("team.invite.byLink")}</h3>
        <p className="team__hint">{t("team.invite.linkHint")}</p>
        <FormError message={linkErrors.form} />
        <SelectField label={t("team.invite.group")} value={linkGroup} onChange={setLinkGroup} options={options}
          error={linkErrors.field("group_id")} />
        <div className="actions">
          <button type="button" className="button" disabled={link.isPending} onClick={() => link.mutate()}>
            {t("team.invite.createLink")}
          </button>
        </div>
        {link.data && (
          <div className="team-invite__link">
            <div className="field">
              <label htmlFor={`${emailsId}-url`}>{t("team.invite.link")}</label>
              <input id={`${emailsId}-url`} readOnly value={link.data.url} onFocus={(e) => e.target.select()} />
              <p className="field__hint">{t("team.invite.expires", { when: when(link.data.expires_at) })}</p>
            </div>
            <button
              type="button"
              className="button"
              onClick={() => {
                void navigator.clipboard?.writeText(link.data.url).then(() => setCopied(true), () => setCopied(false));
              }}
            >
              {t("team.invite.copy")}
            </button>
            <span role="status">{copied ? t("team.invite.copied") : ""}</span>
          </div>
        )}
      </section>

      <section aria-labelledby={`${emailsId}-pending`} className="team-invite">
        <h3 id={`${emailsId}-pending`}>{t("team.invite.pending")}</h3>
        {pending.data && pending.data.length === 0 && <p>{t("team.invite.noPending")}</p>}
        {pending.data && pending.data.length > 0 && (
          <ul className="team-invite__pending">
            {pending.data.map((i) => (
              <li key={i.id}>
                {i.email ?? t("team.invite.pendingLink")} · {groupTitle(i.group_id)} · {t("team.invite.expires", { when: when(i.expires_at) })}
              </li>
            ))}
          </ul>
        )}
      </section>
      <div className="actions">
        <button type="button" className="button" onClick={onClose}>
          {t("team.close")}
        </button>
      </div>
    </Dialog>
  );
}
