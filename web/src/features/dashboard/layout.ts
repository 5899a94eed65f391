/**
 * The dashboard's layout as plain data: the widgets in the order shown, each visible or hidden.
 * Moves and visibility changes are pure functions, so the optimistic update, the request body
 * (`PUT /v1/dashboard/layout`) and the tests share them.
 */
import type { Schemas } from "../../api/client";

export type Dashboard = Schemas["DashboardOut"];
export type WidgetOut = Schemas["WidgetOut"];
export type WidgetId = Schemas["Widget"];
export type Placement = Schemas["WidgetPlacementIn"];

/** The widgets in the order shown (by `position`; the API's order breaks ties). */
export function ordered(widgets: readonly WidgetOut[]): WidgetOut[] {
  return widgets
    .map((widget, index) => ({ widget, index }))
    .sort((a, b) => a.widget.position - b.widget.position || a.index - b.index)
    .map(({ widget }) => widget);
}

/** Positions renumbered 0..n-1 in the given order. */
function renumber(widgets: readonly WidgetOut[]): WidgetOut[] {
  return widgets.map((widget, position) => (widget.position === position ? widget : { ...widget, position }));
}

/**
 * Move `active` to where `over` is, among all the widgets (hidden ones keep their relative
 * place). Unknown ids or a move onto itself leave the order unchanged.
 */
export function moveWidget(widgets: readonly WidgetOut[], active: WidgetId, over: WidgetId): WidgetOut[] {
  const list = ordered(widgets);
  const from = list.findIndex((w) => w.id === active);
  const to = list.findIndex((w) => w.id === over);
  if (from < 0 || to < 0 || from === to) return renumber(list);
  const [moved] = list.splice(from, 1);
  list.splice(to, 0, moved!);
  return renumber(list);
}

/** Show or hide one widget; a widget shown again keeps its place in the order. */
export function setVisible(widgets: readonly WidgetOut[], id: WidgetId, visible: boolean): WidgetOut[] {
  return renumber(ordered(widgets).map((w) => (w.id === id && w.visible !== visible ? { ...w, visible } : w)));
}

/** The body of `PUT /v1/dashboard/layout`: every widget, in order. */
export function toPlacements(widgets: readonly WidgetOut[]): Placement[] {
  return ordered(widgets).map(({ id, visible }, position) => ({ id, visible, position }));
}

export const visibleWidgets = (widgets: readonly WidgetOut[]) => ordered(widgets).filter((w) => w.visible);
export const hiddenWidgets = (widgets: readonly WidgetOut[]) => ordered(widgets).filter((w) => !w.visible);
