/** Server state of the deals screens (TanStack Query over the typed client). */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";

import { unwrap, type Schemas } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useApi } from "../../app/session";
import { appendPage, applyMove, mergeSummary, moveBody, replaceDeal, type Board, type Move, type Status } from "./board";

export const BOARD = ["deals", "board"] as const;
export const PAGE = 20;

export function useBoard() {
  const api = useApi();
  return useQuery({
    queryKey: BOARD,
    queryFn: async () => (await unwrap(api.GET("/v1/deals/board", { params: { query: { limit: PAGE } } }))) as Board,
    staleTime: 60_000,
  });
}

/** The next cards of one column (`GET /v1/deals?status=&sort=board&cursor=`), appended in the cache. */
export function useLoadMore() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ status, cursor }: { status: Status; cursor: string }) =>
      unwrap(api.GET("/v1/deals", { params: { query: { status, sort: "board", cursor, limit: PAGE } } })),
    onSuccess: (page, { status }) => {
      queryClient.setQueryData<Board>(BOARD, (board) => board && appendPage(board, status, page.items, page.next_cursor ?? null));
    },
  });
}

/** A card's move: ONE PATCH, applied at once and rolled back if the API refuses it. */
export function useMoveDeal(onRefused: (message: string) => void) {
  const api = useApi();
  const queryClient = useQueryClient();
  const { t } = useTranslation();
  return useMutation({
    mutationFn: ({ move, body }: { move: Move; body: NonNullable<ReturnType<typeof moveBody>> }) =>
      unwrap(api.PATCH("/v1/deals/{deal_id}", { params: { path: { deal_id: move.dealId } }, body })),
    onMutate: async ({ move }) => {
      await queryClient.cancelQueries({ queryKey: BOARD });
      const before = queryClient.getQueryData<Board>(BOARD);
      if (before) queryClient.setQueryData<Board>(BOARD, applyMove(before, move));
      return { before };
    },
    onError: (error, _vars, context) => {
      if (context?.before) queryClient.setQueryData(BOARD, context.before);
      onRefused(moveError(error, t));
      if (isApiError(error) && error.code === "conflict" && error.field !== "status") {
        void queryClient.invalidateQueries({ queryKey: BOARD });
      }
    },
    onSuccess: async (deal) => {
      queryClient.setQueryData<Board>(BOARD, (board) => board && replaceDeal(board, deal as Schemas["DealOut"]));
      // The two columns' counts and totals from the server (base currency, current rates):
      // the summary alone (one card per column) keeps the cards loaded so far.
      const summary = (await unwrap(api.GET("/v1/deals/board", { params: { query: { limit: 1 } } }))) as Board;
      queryClient.setQueryData<Board>(BOARD, (board) => board && mergeSummary(board, summary));
      void queryClient.invalidateQueries({ queryKey: ["deals", "list"] });
      void queryClient.invalidateQueries({ queryKey: ["deals", "one", deal.id] });
    },
  });
}

function moveError(error: unknown, t: TFunction): string {
  if (isApiError(error)) {
    if (error.status === 409 && error.field === "status") return t("deals.board.closedRefused");
    if (error.code === "conflict") return t("deals.board.staleRefused");
    if (error.code === "network_error") return t("errors.network");
    return t("deals.board.moveFailed", { message: error.message });
  }
  return t("errors.unexpected");
}

/** The CRM's users by id (names on cards, pickers). */
export function useUsers() {
  const api = useApi();
  return useQuery({
    queryKey: ["users", "all"],
    queryFn: () => unwrap(api.GET("/v1/users", { params: { query: { limit: 100 } } })),
    staleTime: 300_000,
  });
}

export function useUserNames(): Map<string, string> {
  const items = useUsers().data?.items;
  return useMemo(() => new Map((items ?? []).map((u) => [u.id, u.name])), [items]);
}

export function formatMoney(money: Schemas["MoneyOut"] | undefined, language: string): string {
  if (!money) return "";
  try {
    return new Intl.NumberFormat(language, { style: "currency", currency: money.currency }).format(Number(money.amount));
  } catch {
    return `${money.amount} ${money.currency}`;
  }
}
