/** The calendar: month, week and day views (hand-written CSS grids) in the user's time zone and
 *  week start; drag a task to reschedule it, click an empty slot to create a task there; an
 *  a user with calendar_other_users_access may look at a colleague's calendar (the picker is not
 *  offered to others; a 403 still shows as a message). */
import {
  DndContext, KeyboardSensor, PointerSensor, useDraggable, useDroppable, useSensor, useSensors, type DragEndEvent,
} from "@dnd-kit/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useRights } from "../../app/rights";
import { useApi } from "../../app/session";
import { useUsers } from "../deals/hooks";
import { rangeOf, shift, todayIn, viewDays, weekDays, zonedParts, zonedToUtc, type View } from "./dates";
import { placeSideBySide } from "./layout";
import { TaskDialog, type TaskDraft } from "./TaskDialog";
import { useReschedule, useZone, type Task } from "./hooks";

const HOUR_PX = 40;
const MIN_TASK_MINUTES = 30; // a shorter task is drawn this tall, to stay readable
const GUTTER_PX = 16;
const VIEWS: readonly View[] = ["month", "week", "day"];

type CalendarData = { items: Task[] };

export function CalendarPage() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const { timeZone, weekStart } = useZone();
  const users = useUsers();
  const rights = useRights();
  const [view, setView] = useState<View>("week");
  const [date, setDate] = useState(() => todayIn(timeZone));
  const [userId, setUserId] = useState("");
  const [dialog, setDialog] = useState<{ task?: Task; draft?: TaskDraft } | null>(null);
  const [message, setMessage] = useState<string>();

  const days = useMemo(() => viewDays(view, date, weekStart), [view, date, weekStart]);
  const range = useMemo(() => rangeOf(days, timeZone), [days, timeZone]);
  const key = ["tasks", "calendar", userId, range.from.toISOString(), range.to.toISOString()];
  const calendar = useQuery({
    queryKey: key,
    queryFn: () =>
      unwrap(api.GET("/v1/calendar", {
        params: { query: { from: range.from.toISOString(), to: range.to.toISOString(), ...(userId ? { user_id: userId } : {}) } },
      })) as Promise<CalendarData>,
    placeholderData: (previous) => previous,
  });
  const reschedule = useReschedule((error) => {
    setMessage(isApiError(error) && error.code === "conflict" ? t("tasks.calendar.conflict") : isApiError(error) ? error.message : t("errors.unexpected"));
  });
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 5 } }), useSensor(KeyboardSensor));

  function onDragEnd(event: DragEndEvent) {
    const task = calendar.data?.items.find((item) => item.id === event.active.id);
    const over = event.over ? String(event.over.id) : "";
    if (!task || !over) return;
    const { minutes } = zonedParts(task.start, timeZone);
    const [kind, day, hour] = over.split("|") as [string, string, string?];
    const target = kind === "slot" ? Number(hour) * 60 + (minutes % 60) : task.all_day ? 0 : minutes;
    const start = zonedToUtc(day, target, timeZone).toISOString();
    if (new Date(start).getTime() === new Date(task.start).getTime()) return;
    setMessage(undefined);
    // Optimistic: the task moves at once (duration kept), and back if the API refuses.
    const delta = new Date(start).getTime() - new Date(task.start).getTime();
    const before = queryClient.getQueryData<CalendarData>(key);
    if (before) {
      queryClient.setQueryData<CalendarData>(key, {
        ...before,
        items: before.items.map((item) => item.id === task.id
          ? { ...item, start, end: new Date(new Date(item.end).getTime() + delta).toISOString() } : item),
      });
    }
    reschedule.mutate({ task, start }, { onError: () => before && queryClient.setQueryData(key, before) });
  }

  const forbidden = isApiError(calendar.error) && calendar.error.status === 403;
  const title = rangeTitle(view, days, date, i18n.language);

  return (
    <div className="calendar">
      <div className="deals__head">
        <h1>{t("tasks.calendar.title")}</h1>
        <div className="calendar__views" role="group" aria-label={t("tasks.calendar.view")}>
          {VIEWS.map((v) => (
            <button key={v} type="button" className="button" aria-pressed={view === v} onClick={() => setView(v)}>
              {t(`tasks.calendar.${v}`)}
            </button>
          ))}
        </div>
        <button type="button" className="button button--primary" onClick={() => setDialog({})}>{t("tasks.new")}</button>
      </div>
      <div className="calendar__toolbar">
        <button type="button" className="button" onClick={() => setDate((d) => shift(view, d, -1))} aria-label={t("tasks.calendar.previous")}>‹</button>
        <button type="button" className="button" onClick={() => setDate(todayIn(timeZone))}>{t("tasks.calendar.today")}</button>
        <button type="button" className="button" onClick={() => setDate((d) => shift(view, d, 1))} aria-label={t("tasks.calendar.next")}>›</button>
        <h2 className="calendar__range" aria-live="polite">{title}</h2>
        {/* Colleagues' calendars need calendar_other_users_access (CA-2): not offered without it. */}
        {rights.can("calendar_other_users_access") && (
          <div className="field calendar__user">
            <label htmlFor="calendar-user">{t("tasks.calendar.of")}</label>
            <select id="calendar-user" value={userId} onChange={(e) => setUserId(e.target.value)}>
              <option value="">{t("tasks.calendar.mine")}</option>
              {(users.data?.items ?? []).map((u) => (
                <option key={u.id} value={u.id}>{u.name}</option>
              ))}
            </select>
          </div>
        )}
      </div>
      {message && <div className="form-error" role="alert">{message}</div>}
      {forbidden ? (
        <p className="form-error" role="alert">{t("tasks.calendar.forbidden")}</p>
      ) : calendar.isError ? (
        <p className="form-error" role="alert">{isApiError(calendar.error) ? calendar.error.message : t("errors.unexpected")}</p>
      ) : (
        <DndContext sensors={sensors} onDragEnd={onDragEnd}>
          {calendar.isPending && <p role="status">{t("app.loading")}</p>}
          {view === "month" ? (
            <MonthView days={days} month={date.slice(0, 7)} tasks={calendar.data?.items ?? []} timeZone={timeZone}
              weekStart={weekStart} onCreate={(draft) => setDialog({ draft })} onOpen={(task) => setDialog({ task })} />
          ) : (
            <TimeGrid days={days} tasks={calendar.data?.items ?? []} timeZone={timeZone}
              onCreate={(draft) => setDialog({ draft })} onOpen={(task) => setDialog({ task })} />
          )}
        </DndContext>
      )}
      {dialog && <TaskDialog task={dialog.task} draft={dialog.draft} onClose={() => setDialog(null)} />}
    </div>
  );
}

function rangeTitle(view: View, days: string[], date: string, language: string): string {
  const at = (d: string, options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(language, { ...options, timeZone: "UTC" }).format(new Date(`${d}T12:00:00Z`));
  if (view === "month") return at(date, { month: "long", year: "numeric" });
  if (view === "day") return at(date, { dateStyle: "full" });
  return `${at(days[0]!, { day: "numeric", month: "short" })} – ${at(days[6]!, { day: "numeric", month: "short", year: "numeric" })}`;
}

function dayLabel(day: string, language: string, options: Intl.DateTimeFormatOptions = { weekday: "long", day: "numeric", month: "long" }) {
  return new Intl.DateTimeFormat(language, { ...options, timeZone: "UTC" }).format(new Date(`${day}T12:00:00Z`));
}

function TaskChip({ task, timeZone, onOpen, style }: { task: Task; timeZone: string; onOpen: (task: Task) => void; style?: React.CSSProperties }) {
  const { t, i18n } = useTranslation();
  const { attributes, listeners, setNodeRef, transform, isDragging } = useDraggable({ id: task.id });
  const time = task.all_day ? t("tasks.form.allDay")
    : new Intl.DateTimeFormat(i18n.language, { timeZone, timeStyle: "short" }).format(new Date(task.start));
  return (
    <button
      ref={setNodeRef}
      type="button"
      className={`calendar__task task-type--${task.type}${task.status === "done" ? " task-card--done" : ""}${isDragging ? " calendar__task--dragging" : ""}`}
      style={{ ...style, transform: transform ? `translate(${transform.x}px, ${transform.y}px)` : undefined }}
      {...attributes}
      {...listeners}
      aria-roledescription={t("tasks.calendar.draggable")}
      onClick={() => onOpen(task)}
    >
      <span className="calendar__task-time">{time}</span> {task.title}
    </button>
  );
}

function MonthView({ days, month, tasks, timeZone, weekStart, onCreate, onOpen }: {
  days: string[]; month: string; tasks: Task[]; timeZone: string; weekStart: "monday" | "sunday";
  onCreate: (draft: TaskDraft) => void; onOpen: (task: Task) => void;
}) {
  const { i18n } = useTranslation();
  const byDay = groupByDay(tasks, timeZone);
  return (
    <div className="month">
      <div className="month__head" aria-hidden="true">
        {weekDays(days[0]!, weekStart).map((d) => <div key={d}>{dayLabel(d, i18n.language, { weekday: "short" })}</div>)}
      </div>
      <div className="month__grid">
        {days.map((day) => (
          <MonthDay key={day} day={day} outside={!day.startsWith(month)} tasks={byDay.get(day) ?? []} timeZone={timeZone}
            onCreate={onCreate} onOpen={onOpen} />
        ))}
      </div>
    </div>
  );
}

function MonthDay({ day, outside, tasks, timeZone, onCreate, onOpen }: {
  day: string; outside: boolean; tasks: Task[]; timeZone: string; onCreate: (draft: TaskDraft) => void; onOpen: (task: Task) => void;
}) {
  const { t, i18n } = useTranslation();
  const { setNodeRef, isOver } = useDroppable({ id: `day|${day}` });
  return (
    <div ref={setNodeRef} className={`month__day${outside ? " month__day--outside" : ""}${isOver ? " calendar__over" : ""}`}>
      <button type="button" className="month__date" tabIndex={-1}
        aria-label={t("tasks.calendar.newOn", { day: dayLabel(day, i18n.language) })}
        onClick={() => onCreate({ start: zonedToUtc(day, 9 * 60, timeZone).toISOString() })}>
        {Number(day.slice(8))}
      </button>
      {tasks.map((task) => <TaskChip key={task.id} task={task} timeZone={timeZone} onOpen={onOpen} />)}
    </div>
  );
}

function TimeGrid({ days, tasks, timeZone, onCreate, onOpen }: {
  days: string[]; tasks: Task[]; timeZone: string; onCreate: (draft: TaskDraft) => void; onOpen: (task: Task) => void;
}) {
  const { t, i18n } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 8 * HOUR_PX;
  }, []);
  const byDay = groupByDay(tasks, timeZone);
  const hours = Array.from({ length: 24 }, (_, h) => h);
  const hourLabel = (h: number) => `${String(h).padStart(2, "0")}:00`;
  return (
    <div className="timegrid" style={{ "--days": days.length } as React.CSSProperties}>
      <div className="timegrid__head">
        <div />
        {days.map((d) => <div key={d} className="timegrid__day-name">{dayLabel(d, i18n.language, { weekday: "short", day: "numeric", month: "short" })}</div>)}
      </div>
      <div className="timegrid__allday">
        <div className="timegrid__hour">{t("tasks.form.allDay")}</div>
        {days.map((d) => (
          <div key={d} className="timegrid__allday-cell">
            {(byDay.get(d) ?? []).filter((task) => task.all_day).map((task) => (
              <TaskChip key={task.id} task={task} timeZone={timeZone} onOpen={onOpen} />
            ))}
          </div>
        ))}
      </div>
      <div className="timegrid__body" ref={scroller} tabIndex={0} role="region" aria-label={t("tasks.calendar.hours")}>
        <div className="timegrid__hours">
          {hours.map((h) => <div key={h} className="timegrid__hour" style={{ height: HOUR_PX }}>{hourLabel(h)}</div>)}
        </div>
        {days.map((day) => (
          <div key={day} className="timegrid__column" style={{ height: 24 * HOUR_PX }}>
            {hours.map((h) => (
              <Slot key={h} day={day} hour={h} label={t("tasks.calendar.newAt", { time: hourLabel(h), day: dayLabel(day, i18n.language) })}
                onCreate={() => onCreate({ start: zonedToUtc(day, h * 60, timeZone).toISOString() })} />
            ))}
            <TimedTasks day={day} tasks={byDay.get(day) ?? []} timeZone={timeZone} onOpen={onOpen} />
          </div>
        ))}
      </div>
    </div>
  );
}

/** A day's timed tasks, sized by their hours and side by side where they overlap; a gutter on the
 *  right keeps each hour's slot clickable beside them, as in Google Calendar. */
function TimedTasks({ day, tasks, timeZone, onOpen }: { day: string; tasks: Task[]; timeZone: string; onOpen: (task: Task) => void }) {
  const drawn = tasks.filter((task) => !task.all_day).map((task) => {
    const start = zonedParts(task.start, timeZone);
    const end = zonedParts(task.end, timeZone);
    const from = start.date === day ? start.minutes : 0;
    const to = end.date === day ? end.minutes : 24 * 60;
    return { task, from, to: Math.max(to, from + MIN_TASK_MINUTES) };
  });
  const placed = placeSideBySide(drawn.map(({ task, from, to }) => ({ id: task.id, from, to })));
  return drawn.map(({ task, from, to }) => {
    const { column, columns } = placed.get(task.id) ?? { column: 0, columns: 1 };
    const share = `(100% - ${GUTTER_PX + 2}px) / ${columns}`;
    return <TaskChip key={task.id} task={task} timeZone={timeZone} onOpen={onOpen} style={{
      position: "absolute", top: (from / 60) * HOUR_PX, height: ((to - from) / 60) * HOUR_PX,
      left: `calc(2px + ${column} * ${share})`, width: `calc(${share} - 2px)`,
    }} />;
  });
}

function Slot({ day, hour, label, onCreate }: { day: string; hour: number; label: string; onCreate: () => void }) {
  const { setNodeRef, isOver } = useDroppable({ id: `slot|${day}|${hour}` });
  return (
    <button ref={setNodeRef} type="button" tabIndex={-1} className={isOver ? "timegrid__slot calendar__over" : "timegrid__slot"}
      style={{ height: HOUR_PX }} aria-label={label} onClick={onCreate} />
  );
}

/** Tasks by the local days they cover (a task running past midnight shows on each day). */
function groupByDay(tasks: Task[], timeZone: string): Map<string, Task[]> {
  const map = new Map<string, Task[]>();
  for (const task of tasks) {
    const first = zonedParts(task.start, timeZone).date;
    const endInstant = new Date(Math.max(new Date(task.end).getTime() - 1, new Date(task.start).getTime()));
    const last = zonedParts(endInstant, timeZone).date;
    for (let day = first, n = 0; day <= last && n < 42; day = nextDay(day), n++) {
      map.set(day, [...(map.get(day) ?? []), task]);
    }
  }
  return map;
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
