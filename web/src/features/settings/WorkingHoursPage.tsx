/** The working-hours editor (GET|PUT|DELETE /v1/me/working-hours): weekly or N-day cycles, exceptions, a preview. */
import { useMutation, useQuery, useQueryClient, type UseMutationResult } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap } from "../../api/client";
import { isApiError } from "../../api/errors";
import { ME, useApi, useMe } from "../../app/session";
import { Field, Form, FormError, useFormErrors, type FormErrors } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { SavedStatus, SelectField, TimezoneSelect, isConflict, useSavedFlag } from "./common";
import {
  addDays, crossesMidnight, dayNight48Preset, fieldPaths, isWeekly, mondayOf, preview, toDocument, todayIn,
  weekday, weeklyPreset, withPeriod, type Schedule, type ShiftTime,
} from "./schedule";

export const WORKING_HOURS = ["me", "working-hours"] as const;
const PREVIEW_DAYS = 14;

interface Stored {
  schedule: Schedule | null;
  version: number | null;
}

function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

export function WorkingHoursPage() {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const me = useMe();
  const flag = useSavedFlag();
  const hours = useQuery({
    queryKey: WORKING_HOURS,
    // None set is a 404 (field `working_hours`): an empty editor, not an error.
    queryFn: async (): Promise<Stored> => {
      try {
        const { version, ...schedule } = await unwrap(api.GET("/v1/me/working-hours"));
        return { schedule, version };
      } catch (error) {
        if (isApiError(error) && error.status === 404) return { schedule: null, version: null };
        throw error;
      }
    },
  });
  const save = useMutation({
    mutationFn: (schedule: Schedule) =>
      unwrap(api.PUT("/v1/me/working-hours", { body: { ...toDocument(schedule), version: me.data?.version ?? null } })),
    onSuccess: ({ version, ...schedule }) => {
      queryClient.setQueryData<Stored>(WORKING_HOURS, { schedule, version });
      void queryClient.invalidateQueries({ queryKey: ME }); // the user record's version moved
      flag.show();
    },
    onError: (error) => {
      if (isConflict(error)) {
        void queryClient.invalidateQueries({ queryKey: ME });
        void queryClient.invalidateQueries({ queryKey: WORKING_HOURS });
      }
    },
  });
  const clear = useMutation({
    mutationFn: () => unwrap(api.DELETE("/v1/me/working-hours")),
    onSuccess: () => {
      save.reset();
      queryClient.setQueryData<Stored>(WORKING_HOURS, { schedule: null, version: null });
      void queryClient.invalidateQueries({ queryKey: ME });
    },
  });
  return (
    <>
      <h1>{t("settings.hours.title")}</h1>
      <p>{t("settings.hours.intro")}</p>
      <QueryState query={hours}>
        {(stored) => (
          <>
            {!stored.schedule && <p className="notice">{clear.isSuccess ? t("settings.hours.cleared") : t("settings.hours.none")}</p>}
            <Editor
              key={stored.version ?? "none"}
              initial={stored.schedule ?? weeklyPreset(me.data?.timezone || browserZone(), todayIn(me.data?.timezone || browserZone()))}
              save={save}
              flag={flag}
              onClear={stored.schedule ? () => clear.mutate() : undefined}
              clearing={clear.isPending}
            />
          </>
        )}
      </QueryState>
    </>
  );
}

function Editor({
  initial,
  save,
  flag,
  onClear,
  clearing,
}: {
  initial: Schedule;
  save: UseMutationResult<unknown, Error, Schedule>;
  flag: ReturnType<typeof useSavedFlag>;
  onClear: (() => void) | undefined;
  clearing: boolean;
}) {
  const { t, i18n } = useTranslation();
  const [schedule, setSchedule] = useState<Schedule>(initial);
  const [weeklyMode, setWeeklyMode] = useState(() => isWeekly(initial));
  const errors = useFormErrors(save.error, fieldPaths(schedule));
  const update = (next: Schedule) => {
    flag.hide();
    setSchedule(next);
  };
  const today = todayIn(schedule.timezone);

  const weekdayName = (index: number) =>
    new Intl.DateTimeFormat(i18n.language, { weekday: "long", timeZone: "UTC" }).format(new Date(Date.UTC(2024, 0, 1 + index)));
  const dayLabel = (day: number) =>
    weeklyMode && isWeekly(schedule) ? weekdayName(weekday(addDays(schedule.start_date, day))) : t("settings.hours.cycleDay", { n: day + 1 });

  const setShift = (i: number, patch: Partial<Schedule["shifts"][number]>) =>
    update({ ...schedule, shifts: schedule.shifts.map((s, k) => (k === i ? { ...s, ...patch } : s)) });
  const setException = (i: number, patch: Partial<Schedule["exceptions"][number]>) =>
    update({ ...schedule, exceptions: schedule.exceptions.map((e, k) => (k === i ? { ...e, ...patch } : e)) });

  return (
    <>
      <section className="card" aria-labelledby="hours-form-heading">
        <h2 id="hours-form-heading">{t("settings.hours.form")}</h2>
        <Form error={save.error} label={t("settings.hours.form")} onSubmit={() => save.mutate(schedule)}>
          <FormError message={isConflict(save.error) ? t("settings.conflict") : errors.form} />
          <div className="settings__presets" role="group" aria-label={t("settings.hours.presets")}>
            <span>{t("settings.hours.presets")}</span>
            <button type="button" className="button" onClick={() => {
              setWeeklyMode(true);
              update({ ...weeklyPreset(schedule.timezone, today), exceptions: schedule.exceptions });
            }}>
              {t("settings.hours.presetWeekly")}
            </button>
            <button type="button" className="button" onClick={() => {
              setWeeklyMode(false);
              update({ ...dayNight48Preset(schedule.timezone, today), exceptions: schedule.exceptions });
            }}>
              {t("settings.hours.presetDayNight")}
            </button>
          </div>
          <TimezoneSelect label={t("settings.timezone.label")} value={schedule.timezone} error={errors.field("timezone")}
            onChange={(timezone) => update({ ...schedule, timezone })} />
          <fieldset className="settings__group">
            <legend>{t("settings.hours.kind")}</legend>
            <label className="settings__check">
              <input type="radio" name="kind" checked={weeklyMode} onChange={() => {
                setWeeklyMode(true);
                update({ ...withPeriod(schedule, 7), start_date: mondayOf(schedule.start_date || today) });
              }} />
              {t("settings.hours.weekly")}
            </label>
            <label className="settings__check">
              <input type="radio" name="kind" checked={!weeklyMode} onChange={() => setWeeklyMode(false)} />
              {t("settings.hours.cycle")}
            </label>
          </fieldset>
          {!weeklyMode && (
            <div className="settings__row">
              <Field label={t("settings.hours.periodDays")} name="period_days" type="number" min={1} max={366}
                value={String(schedule.period_days)} hint={t("settings.hours.periodHint")} error={errors.field("period_days")}
                onChange={(e) => update(withPeriod(schedule, Math.max(1, Math.min(366, Number(e.target.value) || 1))))} />
              <Field label={t("settings.hours.startDate")} name="start_date" type="date" value={schedule.start_date}
                error={errors.field("start_date")} onChange={(e) => update({ ...schedule, start_date: e.target.value })} />
            </div>
          )}
          {weeklyMode && errors.field("start_date") && <p className="field__error">{errors.field("start_date")}</p>}

          <fieldset className="settings__group">
            <legend>{t("settings.hours.shifts")}</legend>
            {errors.field("shifts") && <p className="field__error">{errors.field("shifts")}</p>}
            {schedule.shifts.length === 0 && <p>{t("settings.hours.noShifts")}</p>}
            <p className="field__hint">{t("settings.hours.endHint")}</p>
            {schedule.shifts.map((shift, i) => (
              <div className="settings__row" key={i} role="group" aria-label={t("settings.hours.shift", { n: i + 1 })}>
                <SelectField label={t("settings.hours.day")} value={String(shift.day)} error={errors.field(`shifts[${i}].day`)}
                  onChange={(e) => setShift(i, { day: Number(e.target.value) })}>
                  {Array.from({ length: schedule.period_days }, (_, day) => (
                    <option key={day} value={day}>{dayLabel(day)}</option>
                  ))}
                </SelectField>
                <TimeFields prefix={`shifts[${i}]`} shift={shift} errors={errors} onChange={(patch) => setShift(i, patch)} />
                <button type="button" className="button"
                  onClick={() => update({ ...schedule, shifts: schedule.shifts.filter((_, k) => k !== i) })}>
                  {t("settings.hours.removeShift", { n: i + 1 })}
                </button>
                {errors.field(`shifts[${i}]`) && <p className="field__error settings__row-error">{errors.field(`shifts[${i}]`)}</p>}
              </div>
            ))}
            <button type="button" className="button settings__add" onClick={() =>
              update({ ...schedule, shifts: [...schedule.shifts, { day: 0, start: "09:00", end: "17:00" }] })}>
              {t("settings.hours.addShift")}
            </button>
          </fieldset>

          <fieldset className="settings__group">
            <legend>{t("settings.hours.exceptions")}</legend>
            <p className="field__hint">{t("settings.hours.exceptionsHint")}</p>
            {errors.field("exceptions") && <p className="field__error">{errors.field("exceptions")}</p>}
            {schedule.exceptions.length === 0 && <p>{t("settings.hours.noExceptions")}</p>}
            {schedule.exceptions.map((exception, i) => (
              <div className="settings__exception" key={i} role="group" aria-label={t("settings.hours.exception", { n: i + 1 })}>
                <div className="settings__row">
                  <Field label={t("settings.hours.date")} name={`exception-${i}-date`} type="date" value={exception.date}
                    error={errors.field(`exceptions[${i}].date`)} onChange={(e) => setException(i, { date: e.target.value })} />
                  {exception.shifts.length === 0 && <span className="settings__badge">{t("settings.hours.dayOff")}</span>}
                  <button type="button" className="button"
                    onClick={() => update({ ...schedule, exceptions: schedule.exceptions.filter((_, k) => k !== i) })}>
                    {t("settings.hours.removeException", { n: i + 1 })}
                  </button>
                </div>
                {errors.field(`exceptions[${i}]`) && <p className="field__error">{errors.field(`exceptions[${i}]`)}</p>}
                {exception.shifts.map((shift, k) => (
                  <div className="settings__row" key={k} role="group" aria-label={t("settings.hours.exceptionShift", { n: i + 1, k: k + 1 })}>
                    <TimeFields prefix={`exceptions[${i}].shifts[${k}]`} shift={shift} errors={errors}
                      onChange={(patch) => setException(i, { shifts: exception.shifts.map((s, j) => (j === k ? { ...s, ...patch } : s)) })} />
                    <button type="button" className="button"
                      onClick={() => setException(i, { shifts: exception.shifts.filter((_, j) => j !== k) })}>
                      {t("settings.hours.removeExceptionShift", { n: i + 1, k: k + 1 })}
                    </button>
                    {errors.field(`exceptions[${i}].shifts[${k}]`) && (
                      <p className="field__error settings__row-error">{errors.field(`exceptions[${i}].shifts[${k}]`)}</p>
                    )}
                  </div>
                ))}
                <button type="button" className="button settings__add"
                  onClick={() => setException(i, { shifts: [...exception.shifts, { start: "09:00", end: "13:00" }] })}>
                  {t("settings.hours.addExceptionShift", { n: i + 1 })}
                </button>
              </div>
            ))}
            <button type="button" className="button settings__add" onClick={() =>
              update({ ...schedule, exceptions: [...schedule.exceptions, { date: addDays(today, 1), shifts: [] }] })}>
              {t("settings.hours.addException")}
            </button>
          </fieldset>

          <div className="actions">
            <button type="submit" className="button button--primary" disabled={save.isPending}>
              {save.isPending ? t("settings.saving") : t("settings.hours.save")}
            </button>
            {onClear && (
              <button type="button" className="button" onClick={onClear} disabled={clearing}>
                {t("settings.hours.clear")}
              </button>
            )}
            <SavedStatus saved={flag.saved} />
          </div>
        </Form>
      </section>
      <Preview schedule={schedule} from={today} />
    </>
  );
}

function TimeFields({
  prefix,
  shift,
  errors,
  onChange,
}: {
  prefix: string;
  shift: ShiftTime;
  errors: FormErrors;
  onChange: (patch: Partial<ShiftTime>) => void;
}) {
  const { t } = useTranslation();
  return (
    <>
      <Field label={t("settings.hours.start")} name={`${prefix}.start`} type="time" value={shift.start}
        error={errors.field(`${prefix}.start`)} onChange={(e) => onChange({ start: e.target.value })} />
      <Field label={t("settings.hours.end")} name={`${prefix}.end`} type="time" value={shift.end}
        error={errors.field(`${prefix}.end`)} onChange={(e) => onChange({ end: e.target.value })} />
    </>
  );
}

/** The next days as the API will read them (computed here: the API answers one instant at a time). */
function Preview({ schedule, from }: { schedule: Schedule; from: string }) {
  const { t, i18n } = useTranslation();
  const days = preview(schedule, from, PREVIEW_DAYS);
  const format = new Intl.DateTimeFormat(i18n.language, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });
  const hours = new Intl.NumberFormat(i18n.language, { maximumFractionDigits: 1 });
  return (
    <section className="card" aria-labelledby="hours-preview-heading">
      <h2 id="hours-preview-heading">{t("settings.hours.preview", { count: PREVIEW_DAYS })}</h2>
      <ol className="settings__preview">
        {days.map((day) => (
          <li key={day.date} className={day.shifts.length ? "settings__preview-day" : "settings__preview-day settings__preview-day--off"}>
            <span className="settings__preview-date">
              <time dateTime={day.date}>{format.format(new Date(`${day.date}T00:00:00Z`))}</time>
              <span className="settings__preview-meta">
                {t("settings.hours.previewDay", { n: day.day + 1 })}
                {day.exception && ` · ${t("settings.hours.previewException")}`}
              </span>
            </span>
            <span>
              {day.shifts.length === 0
                ? t("settings.hours.previewOff")
                : day.shifts
                    .map((s) => `${s.start}–${s.end}${crossesMidnight(s) ? ` ${t("settings.hours.nextDay")}` : ""}`)
                    .join(", ")}
            </span>
            <span className="settings__preview-total">
              {day.minutes ? t("settings.hours.hoursTotal", { hours: hours.format(day.minutes / 60) }) : ""}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}
