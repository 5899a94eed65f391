/** A contact's activity feed: newest first, infinite scroll, notes (add, edit and delete one's
 * own), calls with their recording and transcript. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type RefObject } from "react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { unwrap } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useApi, useMe } from "../../app/session";
import { Form, FormError, useFormErrors } from "../../components/forms";
import { addNote, deleteNote, editNote, keys, useFeed, useUserNames, type FeedEntry, type Kind } from "./api";
import { LoadMore, TextAreaField, formatDateTime } from "./widgets";
import { eventSentence } from "./events";
import { ClickToCall } from "../calls/ClickToCall";
import { EmailEntry, emailData } from "../email/EmailEntry";

export function Feed({ kind, id, noteBox }: { kind: Kind; id: string; noteBox: RefObject<HTMLTextAreaElement | null> }) {
  const { t } = useTranslation();
  const feed = useFeed(kind, id);
  const items = feed.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-labelledby="feed-heading">
      <h2 id="feed-heading">{t("contacts.feed.title")}</h2>
      <NoteComposer kind={kind} id={id} noteBox={noteBox} />
      {feed.isPending ? (
        <p role="status">{t("app.loading")}</p>
      ) : feed.isError ? (
        <p role="alert" className="form-error">
          {isApiError(feed.error) ? feed.error.message : t("errors.unexpected")}
        </p>
      ) : items.length === 0 ? (
        <p className="empty">{t("contacts.feed.empty")}</p>
      ) : (
        <ol className="feed" aria-label={t("contacts.feed.title")}>
          {items.map((entry) => (
            <FeedItem key={entry.id} kind={kind} contactId={id} entry={entry} />
          ))}
        </ol>
      )}
      <LoadMore
        hasMore={feed.hasNextPage}
        loading={feed.isFetchingNextPage}
        onMore={() => {
          if (!feed.isFetchingNextPage) void feed.fetchNextPage();
        }}
        label={t("contacts.feed.loadMore")}
      />
    </section>
  );
}

function NoteComposer({ kind, id, noteBox }: { kind: Kind; id: string; noteBox: RefObject<HTMLTextAreaElement | null> }) {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const [text, setText] = useState("");
  const add = useMutation({
    mutationFn: () => addNote(api, kind, id, text),
    onSuccess: async () => {
      setText("");
      await client.invalidateQueries({ queryKey: keys.feed(kind, id) });
    },
  });
  const errors = useFormErrors(add.error, ["text"]);
  return (
    <Form error={add.error} label={t("contacts.card.newNote")} onSubmit={() => add.mutate()}>
      <FormError message={errors.form} />
      <TextAreaField ref={noteBox} label={t("contacts.feed.noteText")} value={text} onChange={(e) => setText(e.target.value)} error={errors.field("text")} />
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={add.isPending || !text.trim()}>
          {t("contacts.feed.addNote")}
        </button>
      </div>
    </Form>
  );
}

function FeedItem({ kind, contactId, entry }: { kind: Kind; contactId: string; entry: FeedEntry }) {
  const { t, i18n } = useTranslation();
  const nameOf = useUserNames();
  const who = nameOf(entry.user_id);
  const sentence = eventSentence(entry, t, nameOf);
  return (
    <li className="feed__item">
      <div className="feed__meta">
        <strong>{label(entry, t)}</strong>
        <time dateTime={entry.time}>{formatDateTime(entry.time, i18n.language)}</time>
        {who && <span>{who}</span>}
        {entry.edited_at && <span>({t("contacts.feed.edited")})</span>}
      </div>
      {entry.kind === "note" ? (
        <Note kind={kind} contactId={contactId} entry={entry} />
      ) : entry.kind === "call" && entry.call ? (
        <CallEntry call={entry.call} contactId={contactId} />
      ) : entry.kind === "email" ? (
        <EmailEntry entry={entry} target={{ contact: { kind, id: contactId } }} />
      ) : sentence !== undefined ? (
        <>
          <p className="feed__text">
            {entry.kind === "deal" && typeof entry.data.deal_id === "string" ? (
              <Link to={`/deals/${encodeURIComponent(entry.data.deal_id)}`}>{sentence}</Link>
            ) : (
              sentence
            )}
          </p>
          {(entry.text ?? (typeof entry.data.text === "string" ? entry.data.text : null)) && (
            <p className="feed__text">{entry.text ?? String(entry.data.text)}</p>
          )}
        </>
      ) : (
        entry.text && <p className="feed__text">{entry.text}</p>
      )}
    </li>
  );
}

function label(entry: FeedEntry, t: TFunction): string {
  switch (entry.kind) {
    case "note":
      return t("contacts.feed.note");
    case "call":
      return t(`contacts.feed.call.${entry.call?.direction ?? "incoming"}` as "contacts.feed.call.incoming");
    case "sms":
      return t("contacts.feed.sms");
    case "email":
      return emailData(entry).direction ? t(`email.feed.${emailData(entry).direction === "out" ? "out" : "in"}`) : t("contacts.feed.email");
    case "task":
      return t("contacts.feed.task");
    case "deal":
      return t("contacts.feed.deal");
    case "event":
      return t("contacts.feed.eventTitle");
    default:
      return "";
  }
}

function Note({ kind, contactId, entry }: { kind: Kind; contactId: string; entry: FeedEntry }) {
  const { t } = useTranslation();
  const api = useApi();
  const me = useMe();
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(entry.text ?? "");
  const refresh = () => client.invalidateQueries({ queryKey: keys.feed(kind, contactId) });
  const save = useMutation({
    mutationFn: () => editNote(api, kind, contactId, entry.id, text),
    onSuccess: async () => {
      setEditing(false);
      await refresh();
    },
  });
  const remove = useMutation({ mutationFn: () => deleteNote(api, kind, contactId, entry.id), onSuccess: refresh });
  const errors = useFormErrors(save.error ?? remove.error, ["text"]);
  const mine = me.data?.id === entry.user_id;
  if (editing) {
    return (
      <Form error={save.error} label={t("contacts.feed.editNote")} onSubmit={() => save.mutate()}>
        <FormError message={errors.form} />
        <TextAreaField label={t("contacts.feed.editNote")} value={text} onChange={(e) => setText(e.target.value)} error={errors.field("text")} />
        <div className="actions">
          <button type="button" className="button" onClick={() => setEditing(false)}>
            {t("contacts.feed.cancel")}
          </button>
          <button type="submit" className="button button--primary" disabled={save.isPending || !text.trim()}>
            {t("contacts.feed.save")}
          </button>
        </div>
      </Form>
    );
  }
  return (
    <>
      <p className="feed__text">{entry.text}</p>
      {remove.error ? <FormError message={errors.form} /> : null}
      {mine && (
        <div className="feed__tools">
          <button type="button" className="button button--link" onClick={() => setEditing(true)}>
            {t("contacts.feed.edit")}
          </button>
          <button
            type="button"
            className="button button--link"
            onClick={() => {
              if (window.confirm(t("contacts.feed.confirmDelete"))) remove.mutate();
            }}
          >
            {t("contacts.feed.delete")}
          </button>
        </div>
      )}
    </>
  );
}

function CallEntry({ call, contactId }: { call: NonNullable<FeedEntry["call"]>; contactId: string }) {
  const { t } = useTranslation();
  const status = call.status ?? "ongoing";
  return (
    <>
      <p className="feed__text">
        {call.phone ? <ClickToCall phone={call.phone} contactId={contactId} /> : null} · {t(`contacts.feed.callStatus.${status}` as "contacts.feed.callStatus.answer")}
        {call.duration_s ? ` · ${t("contacts.feed.duration", { s: call.duration_s })}` : ""}
      </p>
      {call.has_recording && <Recording callId={call.id} />}
      <Transcript callId={call.id} />
    </>
  );
}

/** The recording: GET /v1/calls/{id}/recording redirects to a short-lived link; the bytes are
 * fetched with the session's token and played from a local object URL. */
function Recording({ callId }: { callId: string }) {
  const { t } = useTranslation();
  const api = useApi();
  const [url, setUrl] = useState<string | null>(null);
  const load = useMutation({
    mutationFn: async () => {
      const blob = await unwrap(
        api.GET("/v1/calls/{call_id}/recording", { params: { path: { call_id: callId } }, parseAs: "blob" }),
      );
      return URL.createObjectURL(blob as unknown as Blob);
    },
    onSuccess: setUrl,
  });
  useEffect(() => () => (url ? URL.revokeObjectURL(url) : undefined), [url]);
  if (url) {
    return (
      <audio controls src={url} aria-label={t("contacts.feed.recording")}>
        <track kind="captions" />
      </audio>
    );
  }
  return (
    <>
      <button type="button" className="button" disabled={load.isPending} onClick={() => load.mutate()}>
        {t("contacts.feed.play")}
      </button>
      {load.isError && (
        <p role="alert" className="field__error">
          {isApiError(load.error) ? load.error.message : t("errors.unexpected")}
        </p>
      )}
    </>
  );
}

function Transcript({ callId }: { callId: string }) {
  const { t } = useTranslation();
  const api = useApi();
  const [open, setOpen] = useState(false);
  const call = useQuery({
    queryKey: ["calls", callId],
    queryFn: () => unwrap(api.GET("/v1/calls/{call_id}", { params: { path: { call_id: callId } } })),
    enabled: open,
  });
  return (
    <details onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>{t("contacts.feed.showTranscript")}</summary>
      {call.isSuccess && <p className="feed__text">{call.data.transcript || t("contacts.feed.noTranscript")}</p>}
    </details>
  );
}
