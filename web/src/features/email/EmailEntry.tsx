/**
 * A feed entry of kind "email" (CL-7, DE-4): direction, subject, from/to, the snippet and the
 * attachment count; opened, the whole email (`GET /v1/emails/{id}`): its text, or its sanitised
 * HTML in a sandboxed frame, its attachments, and "Reply".
 */
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { isApiError } from "../../api/errors";
import { useApi } from "../../app/session";
import { unwrap } from "../../api/client";
import { bareAddress, emailKeys, replySubject, type EmailFeedData } from "./api";
import { EmailCompose, type ComposeTarget } from "./EmailCompose";
import { HtmlFrame } from "./HtmlFrame";
import "./email.css";

/** The part of a feed entry this needs (contacts' and deals' feeds share the shape). */
export interface EmailFeedEntry {
  id: string;
  text: string | null;
  data: Record<string, unknown>;
}

export function emailData(entry: EmailFeedEntry): EmailFeedData {
  return entry.data as EmailFeedData;
}

export function EmailEntry({ entry, target }: { entry: EmailFeedEntry; target: ComposeTarget }) {
  const { t } = useTranslation();
  const data = emailData(entry);
  const [open, setOpen] = useState(false);
  const subject = data.subject || t("email.feed.noSubject");
  const to = Array.isArray(data.to) ? data.to.join(", ") : "";
  return (
    <div className="email-entry">
      <p className="email-entry__subject">{subject}</p>
      <p className="email-entry__addresses">
        {t("email.feed.from")}: {data.from ?? ""} · {t("email.feed.to")}: {to}
        {data.attachments ? ` · ${t("email.feed.attachments", { count: data.attachments })}` : ""}
      </p>
      {!open && entry.text && <p className="feed__text">{entry.text}</p>}
      {data.email_id && (
        <div className="feed__tools">
          <button type="button" className="button button--link" aria-expanded={open}
            aria-label={open ? t("email.feed.close") : t("email.feed.openOne", { subject })} onClick={() => setOpen(!open)}>
            {open ? t("email.feed.close") : t("email.feed.open")}
          </button>
        </div>
      )}
      {open && data.email_id && <EmailView id={data.email_id} target={target} />}
    </div>
  );
}

export function EmailView({ id, target }: { id: string; target: ComposeTarget }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const email = useQuery({
    queryKey: emailKeys.email(id),
    queryFn: () => unwrap(api.GET("/v1/emails/{email_id}", { params: { path: { email_id: id } } })),
  });
  const [asText, setAsText] = useState(false);
  const [replying, setReplying] = useState(false);
  const [sent, setSent] = useState("");
  if (email.isPending) return <p role="status">{t("app.loading")}</p>;
  if (email.isError) {
    return (
      <p role="alert" className="form-error">
        {isApiError(email.error) ? email.error.message : t("errors.unexpected")}
      </p>
    );
  }
  const e = email.data;
  const subject = e.subject || t("email.feed.noSubject");
  const replyTo = e.direction === "in" ? [bareAddress(e.from)] : e.to.map(bareAddress);
  return (
    <article className="email-view" aria-label={subject}>
      <dl className="details">
        <dt>{t("email.feed.from")}</dt>
        <dd>{e.from}</dd>
        <dt>{t("email.feed.to")}</dt>
        <dd>{e.to.join(", ")}</dd>
        {e.cc.length > 0 && (
          <>
            <dt>{t("email.feed.cc")}</dt>
            <dd>{e.cc.join(", ")}</dd>
          </>
        )}
        <dt>{t("email.feed.subject")}</dt>
        <dd>{subject}</dd>
      </dl>
      <p className="muted">
        <time dateTime={e.time}>{new Date(e.time).toLocaleString(i18n.language)}</time>
      </p>
      {e.html && (
        <div className="email-view__switch" role="radiogroup" aria-label={t("email.feed.bodyFrame")}>
          <label>
            <input type="radio" checked={!asText} onChange={() => setAsText(false)} /> {t("email.feed.showHtml")}
          </label>
          <label>
            <input type="radio" checked={asText} onChange={() => setAsText(true)} /> {t("email.feed.showText")}
          </label>
        </div>
      )}
      {e.html && !asText ? (
        <HtmlFrame html={e.html} title={t("email.feed.bodyFrame")} tall />
      ) : (
        <p className="email-view__text">{e.text}</p>
      )}
      {e.attachments.length > 0 && (
        <>
          <h3>{t("email.feed.attachmentList")}</h3>
          <ul className="email-attachments">
            {e.attachments.map((a, i) => (
              <li key={`${a.name}-${i}`}>
                {a.url ? (
                  <a href={a.url} download={a.name} target="_blank" rel="noopener noreferrer" aria-label={t("email.feed.download", { name: a.name })}>
                    {a.name}
                  </a>
                ) : (
                  a.name
                )}{" "}
                <span className="muted">
                  ({t("email.feed.size", { size: Math.max(1, Math.round(a.size / 1024)) })}
                  {a.url ? "" : ` · ${t("email.feed.tooBig")}`})
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      <p role="status">{sent ? t("email.compose.sent", { to: sent }) : ""}</p>
      {replying ? (
        <EmailCompose
          target={target}
          to={replyTo}
          subject={replySubject(e.subject)}
          replyTo={e.id}
          {...(e.integration_id ? { integrationId: e.integration_id } : {})}
          title={t("email.compose.replyTitle")}
          onCancel={() => setReplying(false)}
          onDone={(to) => {
            setReplying(false);
            setSent(to);
          }}
        />
      ) : (
        <div className="actions">
          <button type="button" className="button" onClick={() => { setSent(""); setReplying(true); }}
            aria-label={t("email.feed.replyOne", { subject })}>
            {t("email.feed.reply")}
          </button>
        </div>
      )}
    </article>
  );
}
