/** The task board's pages: each column starts with the board's first cards and its
 *  `next_cursor`; "Load more" asks GET /v1/tasks for that column (done: newest first) and
 *  appends the page. The API gives no per-column count: the board shows how many are loaded
 *  and whether more are left. */
import type { Schemas } from "../../api/client";
import type { TaskStatus } from "./hooks";

export type TaskBoard = Schemas["TaskBoardOut"];
export type TaskColumn = Schemas["TaskColumnOut"];
type Task = Schemas["TaskOut"];

export const TASK_PAGE = 50;

/** The query of a column's next page, as the board's `next_cursor` documents it. */
export function nextPageQuery(status: TaskStatus, cursor: string, limit = TASK_PAGE) {
  return { status, cursor, limit, order: status === "done" ? ("desc" as const) : ("asc" as const) };
}

/** The board with one column's next page appended (a card already shown is not repeated). */
export function appendTasks(board: TaskBoard, status: string, items: readonly Task[], nextCursor: string | null): TaskBoard {
  return {
    ...board,
    columns: board.columns.map((column) => {
      if (column.status !== status) return column;
      const seen = new Set(column.items.map((task) => task.id));
      return { ...column, items: [...column.items, ...items.filter((task) => !seen.has(task.id))], next_cursor: nextCursor };
    }),
  };
}
