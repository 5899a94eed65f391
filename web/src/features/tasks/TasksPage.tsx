/** Tasks: a board by status and a list (with a "completed" toggle); create, edit, complete. */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { NavLink } from "react-router";

import { unwrap } from "../../api/client";
import { useApi } from "../../app/session";
import { QueryState } from "../../components/QueryState";
import { ClickToCall } from "../calls/ClickToCall";
import { appendTasks, nextPageQuery, TASK_PAGE, type TaskBoard } from "./board";
import { TaskDialog } from "./TaskDialog";
import { formatWhen, useCompleteTask, useZone, type Task, type TaskStatus } from "./hooks";

function useDialog() {
  const [editing, setEditing] = useState<Task | "new" | null>(null);
  const dialog = editing && (
    <TaskDialog task={editing === "new" ? undefined : editing} onClose={() => setEditing(null)} />
  );
  return { dialog, open: setEditing };
}

function Head({ title, onNew }: { title: string; onNew: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="deals__head">
      <h1>{title}</h1>
      <nav aria-label={t("tasks.views")} className="tabs">
        <NavLink to="/tasks" end>{t("tasks.board")}</NavLink>
        <NavLink to="/tasks/list">{t("tasks.list")}</NavLink>
        <NavLink to="/calendar">{t("tasks.calendar.nav")}</NavLink>
      </nav>
      <button type="button" className="button button--primary" onClick={onNew}>{t("tasks.new")}</button>
    </div>
  );
}

export function TaskCard({ task, onEdit }: { task: Task; onEdit: (task: Task) => void }) {
  const { t, i18n } = useTranslation();
  const { timeZone } = useZone();
  const complete = useCompleteTask();
  const done = task.status === "done";
  return (
    <article className={done ? "task-card task-card--done" : "task-card"} aria-label={task.title}>
      <div className="task-card__top">
        <span className={`task-type task-type--${task.type}`}>{t(`tasks.type.${task.type as "task"}`)}</span>
        <span className="task-card__when">{formatWhen(task, timeZone, i18n.language)}</span>
      </div>
      <h3 className="task-card__title">{task.title}</h3>
      {task.phone && (
        <p className="task-card__extra">
          <ClickToCall phone={task.phone} contactId={task.contact_ids[0]} />
        </p>
      )}
      {task.meeting_url && <p className="task-card__extra"><a href={task.meeting_url} target="_blank" rel="noreferrer">{t("tasks.join")}</a></p>}
      <div className="task-card__actions">
        <button type="button" className="button" onClick={() => onEdit(task)} aria-label={t("tasks.editOne", { title: task.title })}>
          {t("tasks.edit")}
        </button>
        {!done && (
          <button type="button" className="button" disabled={complete.isPending} onClick={() => complete.mutate(task)}
            aria-label={t("tasks.completeOne", { title: task.title })}>
            {t("tasks.complete")}
          </button>
        )}
      </div>
      {complete.error && <p role="alert" className="field__error">{complete.error.message}</p>}
    </article>
  );
}

const BOARD = ["tasks", "board"] as const;

/** The board's first cards per column, then each column's next pages appended in the cache. */
function useTaskBoard() {
  const api = useApi();
  const queryClient = useQueryClient();
  const board = useQuery({
    queryKey: BOARD,
    queryFn: () => unwrap(api.GET("/v1/tasks/board", { params: { query: { limit: TASK_PAGE } } })),
  });
  const more = useMutation({
    mutationFn: ({ status, cursor }: { status: TaskStatus; cursor: string }) =>
      unwrap(api.GET("/v1/tasks", { params: { query: nextPageQuery(status, cursor) } })),
    onSuccess: (page, { status }) => {
      queryClient.setQueryData<TaskBoard>(BOARD, (data) => data && appendTasks(data, status, page.items, page.next_cursor ?? null));
    },
  });
  return { board, more };
}

export function TasksBoard() {
  const { t } = useTranslation();
  const { dialog, open } = useDialog();
  const { board, more } = useTaskBoard();
  return (
    <div className="tasks">
      <Head title={t("tasks.title")} onNew={() => open("new")} />
      <QueryState query={board}>
        {(data) => (
          <div className="board tasks-board">
            {data.columns.map((column) => {
              const status = column.status as TaskStatus;
              const loading = more.isPending && more.variables?.status === status;
              return (
                <section key={column.status} className="board__column" aria-labelledby={`tasks-${column.status}`}>
                  <h2 id={`tasks-${column.status}`}>{t(`tasks.status.${status}`)}</h2>
                  {column.items.length > 0 && (
                    <p className="tasks__count">
                      {t(column.next_cursor ? "tasks.shownMore" : "tasks.shown", { count: column.items.length })}
                    </p>
                  )}
                  <ul className="board__cards">
                    {column.items.map((task) => (
                      <li key={task.id}><TaskCard task={task} onEdit={open} /></li>
                    ))}
                  </ul>
                  {column.items.length === 0 && <p className="tasks__empty">{t("tasks.none")}</p>}
                  {column.next_cursor && (
                    <button type="button" className="button board__more" disabled={loading}
                      aria-label={t("tasks.moreIn", { column: t(`tasks.status.${status}`) })}
                      onClick={() => more.mutate({ status, cursor: column.next_cursor! })}>
                      {loading ? t("app.loading") : t("tasks.more")}
                    </button>
                  )}
                  {more.isError && more.variables?.status === status && (
                    <p role="alert" className="field__error">{more.error.message}</p>
                  )}
                </section>
              );
            })}
          </div>
        )}
      </QueryState>
      {dialog}
    </div>
  );
}

export function TasksList() {
  const { t } = useTranslation();
  const api = useApi();
  const { dialog, open } = useDialog();
  const [completed, setCompleted] = useState(false);
  const list = useInfiniteQuery({
    queryKey: ["tasks", "list", completed],
    initialPageParam: "",
    queryFn: ({ pageParam }) =>
      unwrap(api.GET("/v1/tasks", {
        params: { query: { limit: 25, include_completed: completed, ...(pageParam ? { cursor: pageParam } : {}) } },
      })),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
  return (
    <div className="tasks">
      <Head title={t("tasks.listTitle")} onNew={() => open("new")} />
      <label className="checkbox">
        <input type="checkbox" checked={completed} onChange={(e) => setCompleted(e.target.checked)} />
        {t("tasks.showCompleted")}
      </label>
      <QueryState query={list}>
        {(data) => {
          const items = data.pages.flatMap((p) => p.items);
          return (
            <>
              {items.length === 0 && <p className="notice">{t("tasks.none")}</p>}
              <ul className="tasks__list">
                {items.map((task) => (
                  <li key={task.id}><TaskCard task={task} onEdit={open} /></li>
                ))}
              </ul>
              {list.hasNextPage && (
                <button type="button" className="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
                  {t("tasks.more")}
                </button>
              )}
            </>
          );
        }}
      </QueryState>
      {dialog}
    </div>
  );
}
