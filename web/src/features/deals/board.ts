/**
 * The deals board's state, kept in the TanStack Query cache: the columns of `GET /v1/deals/board`
 * with the cards loaded so far. A move is computed here (pure functions, tested) and applied
 * optimistically; the snapshot taken before it is what a failed PATCH rolls back to.
 */
import type { Schemas } from "../../api/client";

export type Deal = Schemas["DealOut"];
export type Status = Schemas["DealStatus"];
export type Column = Omit<Schemas["ColumnOut"], "items" | "status"> & { status: Status; items: Deal[] };
export type Board = { columns: Column[] };

export const STATUSES: readonly Status[] = ["new", "in_progress", "decision", "payment", "success", "canceled"];
/** A won or canceled deal is closed: the API refuses to move it (409, field `status`). */
export const FINAL: readonly Status[] = ["success", "canceled"];
/** The API's highest `position` (0 = top of the column). */
export const MAX_POSITION = 100;

export interface Move {
  dealId: string;
  to: Status;
  /** Where the card lands in the target column, counted without the card itself. */
  index: number;
}

export function findDeal(board: Board, dealId: string): { column: Column; index: number; deal: Deal } | undefined {
  for (const column of board.columns) {
    const index = column.items.findIndex((d) => d.id === dealId);
    if (index >= 0) return { column, index, deal: column.items[index]! };
  }
  return undefined;
}

/** The move a drop makes: over a card (its place) or over a column (its top when coming from
 *  another column, else no move). Undefined when nothing changes. */
export function moveFromDrop(board: Board, dealId: string, overId: string): Move | undefined {
  const from = findDeal(board, dealId);
  if (!from) return undefined;
  const overColumn = board.columns.find((c) => columnId(c.status) === overId);
  if (overColumn) {
    if (overColumn.status === from.column.status) return undefined;
    return { dealId, to: overColumn.status, index: 0 };
  }
  const over = findDeal(board, overId);
  if (!over || overId === dealId) return undefined;
  if (over.column.status === from.column.status) {
    // Within a column the card takes the place of the one it is dropped on (arrayMove's index).
    return over.index === from.index ? undefined : { dealId, to: over.column.status, index: over.index };
  }
  return { dealId, to: over.column.status, index: over.index };
}

/** The board after a move: the card leaves its column and enters the target one at `index`;
 *  counts follow, and so does the total when the card's currency is the board's. */
export function applyMove(board: Board, move: Move): Board {
  const from = findDeal(board, move.dealId);
  if (!from) return board;
  const moved: Deal = { ...from.deal, status: move.to };
  const sameColumn = from.column.status === move.to;
  return {
    ...board,
    columns: board.columns.map((column) => {
      if (sameColumn && column.status === move.to) {
        const items = column.items.filter((d) => d.id !== move.dealId);
        items.splice(Math.min(move.index, items.length), 0, moved);
        return { ...column, items };
      }
      if (column.status === from.column.status) {
        return {
          ...column,
          count: Math.max(0, column.count - 1),
          total: addMoney(column.total, from.deal.value, -1),
          items: column.items.filter((d) => d.id !== move.dealId),
        };
      }
      if (column.status === move.to) {
        const items = [...column.items];
        items.splice(Math.min(move.index, items.length), 0, moved);
        return { ...column, count: column.count + 1, total: addMoney(column.total, from.deal.value, 1), items };
      }
      return column;
    }),
  };
}

/** The PATCH body of a move: the status only when it changes, the position always. */
export function moveBody(board: Board, move: Move): { status?: Status; position: number; version: number } | undefined {
  const from = findDeal(board, move.dealId);
  if (!from) return undefined;
  const position = Math.min(Math.max(0, move.index), MAX_POSITION);
  return from.column.status === move.to
    ? { position, version: from.deal.version }
    : { status: move.to, position, version: from.deal.version };
}

/** The board with the server's copy of a deal in place of ours (new version, key, status). */
export function replaceDeal(board: Board, deal: Deal): Board {
  return {
    ...board,
    columns: board.columns.map((c) => ({ ...c, items: c.items.map((d) => (d.id === deal.id ? deal : d)) })),
  };
}

/** Counts and totals from a fresh board summary, keeping the cards loaded so far. */
export function mergeSummary(board: Board, summary: Board): Board {
  return {
    ...board,
    columns: board.columns.map((column) => {
      const fresh = summary.columns.find((c) => c.status === column.status);
      return fresh ? { ...column, count: fresh.count, total: fresh.total } : column;
    }),
  };
}

/** A column's next page appended (a card already shown, moved meanwhile, is not repeated). */
export function appendPage(board: Board, status: Status, items: Deal[], nextCursor: string | null): Board {
  return {
    ...board,
    columns: board.columns.map((column) => {
      if (column.status !== status) return column;
      const seen = new Set(column.items.map((d) => d.id));
      return { ...column, items: [...column.items, ...items.filter((d) => !seen.has(d.id))], next_cursor: nextCursor };
    }),
  };
}

export function columnId(status: Status): string {
  return `column:${status}`;
}

/** Decimal strings added exactly (in minor units of up to 4 digits), sign -1 to subtract. */
export function addMoney(total: Schemas["MoneyOut"], value: Schemas["MoneyOut"], sign: 1 | -1): Schemas["MoneyOut"] {
  if (value.currency !== total.currency) return total; // converted by the server: the refetch corrects it
  const scale = 4;
  const minor = (amount: string) => {
    const negative = amount.trim().startsWith("-");
    const [whole = "0", fraction = ""] = amount.replace("-", "").split(".");
    const units = BigInt(whole || "0") * 10n ** BigInt(scale) + BigInt((fraction + "0000").slice(0, scale));
    return negative ? -units : units;
  };
  const digits = Math.max(decimals(total.amount), decimals(value.amount));
  const sum = minor(total.amount) + BigInt(sign) * minor(value.amount);
  const negative = sum < 0n;
  const abs = negative ? -sum : sum;
  const whole = abs / 10n ** BigInt(scale);
  const fraction = (abs % 10n ** BigInt(scale)).toString().padStart(scale, "0").slice(0, digits);
  return { ...total, amount: `${negative ? "-" : ""}${whole}${digits ? `.${fraction}` : ""}` };
}

function decimals(amount: string): number {
  return amount.split(".")[1]?.length ?? 0;
}
