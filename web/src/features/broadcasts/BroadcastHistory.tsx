/**
 * The history of broadcasts shared by the email and SMS screens: the paged list (polled while one
 * runs) and its table. Every text comes from the caller, so each screen keeps its own strings.
 */
import { useInfiniteQuery, type InfiniteData, type QueryKey, type UseInfiniteQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { QueryState } from "../../components/QueryState";
import { CaptionedTable } from "./Table";

export interface HistoryPage<B> {
  items: B[];
  next_cursor?: string | null;
}

export interface HistoryItem {
  id: string;
  created_at: string;
  status: string;
  total: number;
  sent: number;
  failed: number;
}

export type HistoryQuery<B> = UseInfiniteQueryResult<InfiniteData<HistoryPage<B>, string>>;

/** Broadcasts page by page (`fetchPage("")` is the first); refreshed every 2 s while one runs. */
export function useBroadcastHistory<B extends HistoryItem>(queryKey: QueryKey, fetchPage: (cursor: string) => Promise<HistoryPage<B>>): HistoryQuery<B> {
  return useInfiniteQuery({
    queryKey,
    initialPageParam: "",
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: (query) => (query.state.data?.pages.some((p) => p.items.some((b) => b.status === "running")) ? 2000 : false),
  });
}

export interface BroadcastHistoryProps<B extends HistoryItem> {
  list: HistoryQuery<B>;
  caption: string;
  none: string;
  more: string;
  /** The six column headers: started, message, status, total, sent, failed. */
  columns: readonly [string, string, string, string, string, string];
  tableClassName: string;
  captionClassName: string;
  /** The class prefix of the status badge (`email-badge` gives `email-badge email-badge--running`). */
  badgeClassName: string;
  href: (b: B) => string;
  statusText: (status: B["status"]) => string;
  /** The second (message) cell's content, and its class if any. */
  message: (b: B) => ReactNode;
  messageClassName?: string;
}

export function BroadcastHistory<B extends HistoryItem>(props: BroadcastHistoryProps<B>) {
  const { list, caption, none, more, columns, tableClassName, captionClassName, badgeClassName, href, statusText, message, messageClassName } = props;
  const { i18n } = useTranslation();
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short" });
  const number = new Intl.NumberFormat(i18n.language);
  return (
    <QueryState query={list}>
      {(data) => {
        const items = data.pages.flatMap((p) => p.items);
        if (items.length === 0) return <p>{none}</p>;
        return (
          <>
            <CaptionedTable className={tableClassName} captionClassName={captionClassName} caption={caption} columns={columns}>
              <tbody>
                {items.map((b) => (
                  <tr key={b.id}>
                    <td>
                      <Link to={href(b)}>{date.format(new Date(b.created_at))}</Link>
                    </td>
                    <td className={messageClassName}>{message(b)}</td>
                    <td>
                      <span className={`${badgeClassName} ${badgeClassName}--${b.status}`}>{statusText(b.status)}</span>
                    </td>
                    <td>{number.format(b.total)}</td>
                    <td>{number.format(b.sent)}</td>
                    <td>{number.format(b.failed)}</td>
                  </tr>
                ))}
              </tbody>
            </CaptionedTable>
            {list.hasNextPage && (
              <button type="button" className="button" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
                {more}
              </button>
            )}
          </>
        );
      }}
    </QueryState>
  );
}
