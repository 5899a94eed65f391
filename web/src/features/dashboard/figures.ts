/** What each widget shows: one main figure and the secondary ones, by their `data` keys. */
import type { WidgetId, WidgetOut } from "./layout";

export type FigureKey =
  | "total"
  | "new_this_week"
  | "new_today"
  | "mine"
  | "unsorted"
  | "completed_this_week"
  | "total_this_week"
  | "count"
  | "calls_today"
  | "incoming_today"
  | "outgoing_today"
  | "incoming_this_week"
  | "outgoing_this_week"
  | "today"
  | "this_week";

export interface Figure {
  key: FigureKey;
  value: number;
}

export interface Figures {
  main: Figure;
  more: Figure[];
}

const FIGURES: Record<WidgetId, { main: FigureKey; more: FigureKey[] }> = {
  clients: { main: "total", more: ["new_this_week", "new_today"] },
  my_leads: { main: "mine", more: ["unsorted"] },
  tasks_completed: { main: "completed_this_week", more: ["total_this_week"] },
  tasks_overdue: { main: "count", more: [] },
  tasks_in_progress: { main: "count", more: [] },
  my_calls: { main: "calls_today", more: ["incoming_today", "outgoing_today", "incoming_this_week", "outgoing_this_week"] },
  new_leads: { main: "today", more: ["this_week"] },
};

export function figures(widget: WidgetOut): Figures {
  const data = widget.data;
  const value = (key: FigureKey): number =>
    key === "calls_today" ? (data.incoming_today ?? 0) + (data.outgoing_today ?? 0) : (data[key] ?? 0);
  const spec = FIGURES[widget.id];
  return { main: { key: spec.main, value: value(spec.main) }, more: spec.more.map((key) => ({ key, value: value(key) })) };
}
