/** Create or edit a task of any of the four types, in a modal dialog; the API's field errors
 *  show on their fields. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useApi } from "../../app/session";
import { Field, Form, FormError, useFormErrors } from "../../components/forms";
import { ClickToCall } from "../calls/ClickToCall";
import { fromLocalInput, toLocalInput } from "./dates";
import { TASK_STATUSES, TYPES, useZone, type Task, type TaskStatus, type TaskType } from "./hooks";

const FIELDS = ["type", "title", "description", "start", "end", "all_day", "phone", "sms_text", "meeting_url",
  "remind_minutes_before", "status", "responsible_user_id"];

export interface TaskDraft {
  type?: TaskType;
  start?: string; // ISO instant
}

export function TaskDialog({ task, draft, onClose }: { task?: Task | undefined; draft?: TaskDraft | undefined; onClose: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const { timeZone } = useZone();
  const ref = useRef<HTMLDialogElement>(null);
  const [values, setValues] = useState(() => ({
    type: task?.type as TaskType | undefined ?? draft?.type ?? "task",
    title: task?.title ?? "",
    description: task?.description ?? "",
    start: toLocalInput(task?.start ?? draft?.start ?? new Date(Date.now() + 3_600_000).toISOString(), timeZone),
    end: task && task.end !== task.start ? toLocalInput(task.end, timeZone) : "",
    all_day: task?.all_day ?? false,
    phone: task?.phone ?? "",
    sms_text: task?.sms_text ?? "",
    meeting_url: task?.meeting_url ?? "",
    remind: task ? (task.remind_minutes_before == null ? "" : String(task.remind_minutes_before)) : "15",
    status: (task?.status ?? "open") as TaskStatus,
  }));
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal?.();
  }, []);
  const set = (patch: Partial<typeof values>) => setValues((v) => ({ ...v, ...patch }));

  const save = useMutation({
    mutationFn: () => {
      const body = {
        type: values.type,
        title: values.title,
        description: values.description || null,
        start: fromLocalInput(values.start, timeZone),
        end: values.end ? fromLocalInput(values.end, timeZone) : null,
        all_day: values.all_day,
        remind_minutes_before: values.remind === "" ? null : Number(values.remind),
        phone: values.type === "call" || values.type === "sms" ? values.phone || null : null,
        sms_text: values.type === "sms" ? values.sms_text || null : null,
        meeting_url: values.type === "video" ? values.meeting_url || null : null,
      };
      return task
        ? unwrap(api.PATCH("/v1/tasks/{task_id}", {
            params: { path: { task_id: task.id } },
            body: { ...body, status: values.status, version: task.version },
          }))
        : unwrap(api.POST("/v1/tasks", { body }));
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["tasks"] });
      onClose();
    },
  });
  const conflict = isApiError(save.error) && save.error.code === "conflict";
  const errors = useFormErrors(conflict ? undefined : save.error, FIELDS);
  const title = task ? t("tasks.form.editTitle") : t("tasks.form.newTitle");

  return (
    <dialog ref={ref} className="task-dialog" aria-labelledby="task-dialog-title" onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <h2 id="task-dialog-title">{title}</h2>
      {conflict && (
        <div className="form-error" role="alert">
          {t("tasks.form.conflict")}
        </div>
      )}
      <Form error={save.error} label={title} onSubmit={() => save.mutate()}>
        <FormError message={errors.form} />
        <fieldset className="task-types">
          <legend>{t("tasks.form.type")}</legend>
          {TYPES.map((type) => (
            <label key={type}>
              <input type="radio" name="type" value={type} checked={values.type === type} onChange={() => set({ type })} />
              {t(`tasks.type.${type}`)}
            </label>
          ))}
        </fieldset>
        <Field label={t("tasks.form.title")} name="title" value={values.title} onChange={(e) => set({ title: e.target.value })}
          error={errors.field("title")} />
        <div className="tasks__row">
          <Field label={t("tasks.form.start")} name="start" type="datetime-local" value={values.start}
            onChange={(e) => set({ start: e.target.value })} error={errors.field("start")} />
          <Field label={t("tasks.form.end")} name="end" type="datetime-local" value={values.end}
            onChange={(e) => set({ end: e.target.value })} error={errors.field("end")} hint={t("tasks.form.endHint")} />
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={values.all_day} onChange={(e) => set({ all_day: e.target.checked })} />
          {t("tasks.form.allDay")}
        </label>
        {(values.type === "call" || values.type === "sms") && (
          <Field label={t("tasks.form.phone")} name="phone" type="tel" value={values.phone} hint={t("tasks.form.phoneHint")}
            onChange={(e) => set({ phone: e.target.value })} error={errors.field("phone")} />
        )}
        {task?.phone && (values.type === "call" || values.type === "sms") && (
          <p className="task-dialog__call">
            <ClickToCall phone={task.phone} contactId={task.contact_ids[0]} />
          </p>
        )}
        {values.type === "sms" && (
          <div className={errors.field("sms_text") ? "field field--invalid" : "field"}>
            <label htmlFor="task-sms">{t("tasks.form.smsText")}</label>
            <textarea id="task-sms" rows={3} value={values.sms_text} onChange={(e) => set({ sms_text: e.target.value })}
              aria-invalid={errors.field("sms_text") ? true : undefined}
              aria-describedby={errors.field("sms_text") ? "task-sms-error" : undefined} />
            {errors.field("sms_text") && <p id="task-sms-error" className="field__error">{errors.field("sms_text")}</p>}
          </div>
        )}
        {values.type === "video" && (
          <Field label={t("tasks.form.meetingUrl")} name="meeting_url" type="url" value={values.meeting_url}
            onChange={(e) => set({ meeting_url: e.target.value })} error={errors.field("meeting_url")} />
        )}
        <div className={errors.field("description") ? "field field--invalid" : "field"}>
          <label htmlFor="task-description">{t("tasks.form.description")}</label>
          <textarea id="task-description" rows={3} value={values.description}
            onChange={(e) => set({ description: e.target.value })} aria-invalid={errors.field("description") ? true : undefined} />
          {errors.field("description") && <p className="field__error">{errors.field("description")}</p>}
        </div>
        <div className="tasks__row">
          <Field label={t("tasks.form.remind")} name="remind_minutes_before" type="number" min={0} value={values.remind}
            hint={t("tasks.form.remindHint")} onChange={(e) => set({ remind: e.target.value })}
            error={errors.field("remind_minutes_before")} />
          {task && (
            <div className="field">
              <label htmlFor="task-status">{t("tasks.form.status")}</label>
              <select id="task-status" value={values.status} onChange={(e) => set({ status: e.target.value as TaskStatus })}>
                {TASK_STATUSES.map((s) => (
                  <option key={s} value={s}>{t(`tasks.status.${s}`)}</option>
                ))}
              </select>
            </div>
          )}
        </div>
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>{t("tasks.cancel")}</button>
          <button type="submit" className="button button--primary" disabled={save.isPending}>
            {save.isPending ? t("tasks.saving") : t("tasks.form.save")}
          </button>
        </div>
      </Form>
    </dialog>
  );
}
