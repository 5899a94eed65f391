/**
 * The notification bell in the shell's header: the unread count (polled every 30 s and when the
 * window gets the focus), and a dialog listing the notifications, newest first, by pages. A click
 * on one marks it read (and opens its record when that has a screen); "mark all as read" empties
 * the count. Every answer's `unread` becomes the count shown.
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { unwrap, type Schemas } from "../../api/client";
import { useApi } from "../../app/session";
import { recordPath } from "../search/records";
import "./notifications.css";
import { relativeTime } from "./time";

type Page = Schemas["NotificationList"];
type Notification = Schemas["NotificationOut"];
type ReadBody = Schemas["ReadIn"];

export const UNREAD = ["notifications", "unread"] as const;
export const NOTIFICATIONS = ["notifications", "list"] as const;
const POLL_MS = 30_000;

function useUnreadCount() {
  const api = useApi();
  const unread = useQuery({
    queryKey: UNREAD,
    queryFn: async ({ signal }) => (await unwrap(api.GET("/v1/notifications/unread-count", { signal }))).unread,
    refetchInterval: POLL_MS,
    refetchOnWindowFocus: "always", // the tab shown again
    staleTime: 0,
  });
  // The window focused again (TanStack Query only watches the tab's visibility).
  const { refetch } = unread;
  useEffect(() => {
    const onFocus = () => void refetch();
    window.addEventListener("focus", onFocus);
    return () => window.removeEventListener("focus", onFocus);
  }, [refetch]);
  return unread;
}

function useNotifications(enabled: boolean) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useInfiniteQuery({
    queryKey: NOTIFICATIONS,
    queryFn: async ({ pageParam, signal }) => {
      // The signal lets a read (below) cancel a list on its way, whose count would be stale.
      const page = await unwrap(
        api.GET("/v1/notifications", { params: { query: pageParam ? { cursor: pageParam } : {} }, signal }),
      );
      queryClient.setQueryData(UNREAD, page.unread_count);
      return page;
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled,
    staleTime: 0,
  });
}

// Reads started so far: only the latest one's answer sets the count (an earlier, slower answer
// would bring back a count a later "mark all as read" has cleared).
let readsStarted = 0;

function useMarkRead() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ReadBody) => unwrap(api.POST("/v1/notifications/read", { body })),
    onMutate: async () => {
      const started = ++readsStarted;
      await Promise.all([
        queryClient.cancelQueries({ queryKey: UNREAD }),
        queryClient.cancelQueries({ queryKey: NOTIFICATIONS }),
      ]);
      return { started };
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: UNREAD }),
    onSuccess: ({ unread }, body, context) => {
      if (context?.started !== readsStarted) return;
      queryClient.setQueryData(UNREAD, unread);
      const marked = (item: Notification) => body.all === true || (body.ids ?? []).includes(item.id);
      queryClient.setQueryData<InfiniteData<Page>>(NOTIFICATIONS, (data) =>
        data
          ? {
              ...data,
              pages: data.pages.map((page) => ({
                ...page,
                unread_count: unread,
                items: page.items.map((item) => (!item.read && marked(item) ? { ...item, read: true } : item)),
              })),
            }
          : data,
      );
    },
  });
}

export function NotificationBell() {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const unread = useUnreadCount();
  const count = unread.data ?? 0;
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const dialog = useRef<HTMLDivElement>(null);
  const dialogId = useId();
  const headingId = useId();

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    dialog.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        close(true);
      }
    };
    const onPointer = (event: MouseEvent) => {
      if (!root.current?.contains(event.target as Node)) close(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("mousedown", onPointer);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("mousedown", onPointer);
    };
  }, [open]);

  return (
    <div
      className="bell"
      ref={root}
      onBlur={(event) => {
        // Tabbing out of the list closes it.
        if (open && event.relatedTarget && !root.current?.contains(event.relatedTarget as Node)) close(false);
      }}
    >
      <button
        ref={button}
        type="button"
        className="bell__button"
        aria-label={count > 0 ? t("notifications.bell", { count }) : t("notifications.bellNone")}
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={dialogId}
        onClick={() => setOpen(!open)}
      >
        <svg aria-hidden="true" width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2">
          <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
          <path d="M13.73 21a2 2 0 0 1-3.46 0" />
        </svg>
        {count > 0 && (
          <span className="bell__count" aria-hidden="true">
            {count > 99 ? "99+" : count}
          </span>
        )}
      </button>
      {open && (
        <div
          ref={dialog}
          id={dialogId}
          role="dialog"
          aria-labelledby={headingId}
          className="bell__panel"
          tabIndex={-1}
        >
          <NotificationList headingId={headingId} count={count} onOpenRecord={() => close(false)} />
        </div>
      )}
    </div>
  );
}

function NotificationList({ headingId, count, onOpenRecord }: { headingId: string; count: number; onOpenRecord: () => void }) {
  const { t, i18n } = useTranslation();
  const list = useNotifications(true);
  const read = useMarkRead();
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  const markRead = (item: Notification) => {
    if (!item.read) read.mutate({ ids: [item.id] });
  };

  return (
    <>
      <div className="bell__header">
        <h2 id={headingId}>{t("notifications.title")}</h2>
        <button
          type="button"
          className="button button--link"
          disabled={count === 0 || read.isPending}
          onClick={() => read.mutate({ all: true })}
        >
          {t("notifications.markAll")}
        </button>
      </div>
      {(read.isError || list.isError) && (
        <p role="alert" className="form-error">
          {t("notifications.failed")}
        </p>
      )}
      {list.isPending ? (
        <p role="status" className="loading">
          {t("app.loading")}
        </p>
      ) : items.length === 0 ? (
        <p className="bell__empty">{t("notifications.empty")}</p>
      ) : (
        <ul className="bell__list">
          {items.map((item) => {
            const path = item.link ? recordPath(item.link.type, item.link.id) : undefined;
            const body = (
              <>
                <span className="bell__kind">
                  {!item.read && <span className="bell__dot" aria-hidden="true" />}
                  {t(`notifications.kinds.${item.kind}`)}
                  {!item.read && <span className="visually-hidden"> ({t("notifications.unread")})</span>}
                </span>
                <span className="bell__title">{item.title}</span>
                <time className="bell__time" dateTime={item.time} title={new Date(item.time).toLocaleString(i18n.language)}>
                  {relativeTime(item.time, i18n.language)}
                </time>
              </>
            );
            const className = item.read ? "bell__item" : "bell__item bell__item--unread";
            return (
              <li key={item.id}>
                {path ? (
                  <Link
                    to={path}
                    className={className}
                    onClick={() => {
                      markRead(item);
                      onOpenRecord();
                    }}
                  >
                    {body}
                  </Link>
                ) : item.read ? (
                  <div className={className}>{body}</div>
                ) : (
                  <button type="button" className={className} onClick={() => markRead(item)}>
                    {body}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {list.hasNextPage && (
        <button
          type="button"
          className="button bell__more"
          disabled={list.isFetchingNextPage}
          onClick={() => void list.fetchNextPage()}
        >
          {list.isFetchingNextPage ? t("app.loading") : t("notifications.loadMore")}
        </button>
      )}
    </>
  );
}
