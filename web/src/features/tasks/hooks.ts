/** Server state of the tasks screens and the calendar. */
import { useMutation, useQueryClient } from "@tanstack/react-query";

import { unwrap, type Schemas } from "../../api/client";
import { useApi, useMe } from "../../app/session";
import type { WeekStart } from "./dates";

export type Task = Schemas["TaskOut"];
export type TaskType = Schemas["TaskType"];
export type TaskStatus = Schemas["TaskStatus"];
export const TYPES: readonly TaskType[] = ["task", "call", "video", "sms"];
export const TASK_STATUSES: readonly TaskStatus[] = ["open", "in_progress", "done"];

/** The signed-in user's time zone and first day of the week. */
export function useZone(): { timeZone: string; weekStart: WeekStart } {
  const me = useMe().data;
  const timeZone = me?.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  return { timeZone, weekStart: me?.week_start === "sunday" ? "sunday" : "monday" };
}

export function useCompleteTask() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (task: Task) =>
      unwrap(api.POST("/v1/tasks/{task_id}/complete", { params: { path: { task_id: task.id } }, body: {} })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["tasks"] }),
  });
}

/** Move a task in time (the calendar's drag): PATCH start (the API keeps the duration) with its version. */
export function useReschedule(onError: (error: unknown) => void) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ task, start }: { task: Task; start: string }) =>
      unwrap(api.PATCH("/v1/tasks/{task_id}", { params: { path: { task_id: task.id } }, body: { start, version: task.version } })),
    onError,
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ["tasks"] }),
  });
}

export function formatWhen(task: Task, timeZone: string, language: string): string {
  const options: Intl.DateTimeFormatOptions = task.all_day
    ? { timeZone, dateStyle: "medium" }
    : { timeZone, dateStyle: "medium", timeStyle: "short" };
  return new Intl.DateTimeFormat(language, options).format(new Date(task.start));
}
