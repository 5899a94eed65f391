/**
 * The signed-in home: the seven widgets of `GET /v1/dashboard` as number cards, in the user's
 * order, hidden ones listed in the "customise" panel. Reordering (drag and drop, or the keyboard
 * on a card's handle) and hiding save the layout with `PUT /v1/dashboard/layout`, shown at once
 * and put back with a message if the save fails.
 */
import {
  DndContext,
  KeyboardSensor,
  PointerSensor,
  closestCenter,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
} from "@dnd-kit/core";
import { SortableContext, rectSortingStrategy, sortableKeyboardCoordinates, useSortable } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useApi, useMe } from "../../app/session";
import { QueryState } from "../../components/QueryState";
import "./dashboard.css";
import { figures } from "./figures";
import {
  hiddenWidgets,
  moveWidget,
  setVisible,
  toPlacements,
  visibleWidgets,
  type Dashboard as DashboardData,
  type WidgetId,
  type WidgetOut,
} from "./layout";

export const DASHBOARD = ["dashboard"] as const;
const SAVE_LAYOUT = ["dashboard", "layout"] as const;

/** Save a new layout: shown at once, put back as it was if the API refuses it. */
export function useSaveLayout() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: SAVE_LAYOUT,
    // One save at a time, in order: the last layout asked for is the one kept.
    scope: { id: "dashboard-layout" },
    mutationFn: (widgets: WidgetOut[]) =>
      unwrap(api.PUT("/v1/dashboard/layout", { body: { widgets: toPlacements(widgets) } })),
    onMutate: async (widgets) => {
      await queryClient.cancelQueries({ queryKey: DASHBOARD });
      const previous = queryClient.getQueryData<DashboardData>(DASHBOARD);
      queryClient.setQueryData<DashboardData>(DASHBOARD, { widgets });
      return { previous };
    },
    onError: (_error, _widgets, context) => {
      if (context?.previous) queryClient.setQueryData(DASHBOARD, context.previous);
    },
    onSuccess: (dashboard) => {
      // A later save still on its way has the newer layout: keep showing that one.
      if (queryClient.isMutating({ mutationKey: SAVE_LAYOUT }) <= 1) queryClient.setQueryData(DASHBOARD, dashboard);
    },
  });
}

export function Dashboard() {
  const { t } = useTranslation();
  const api = useApi();
  const me = useMe();
  const dashboard = useQuery({ queryKey: DASHBOARD, queryFn: () => unwrap(api.GET("/v1/dashboard")) });
  const headingId = useId();
  return (
    <>
      <h1>{me.data ? t("dashboard.title", { name: me.data.name }) : t("dashboard.widgetsHeading")}</h1>
      <div className="dashboard">
        <QueryState query={dashboard}>{(data) => <Widgets widgets={data.widgets} headingId={headingId} />}</QueryState>
      </div>
    </>
  );
}

function Widgets({ widgets, headingId }: { widgets: WidgetOut[]; headingId: string }) {
  const { t } = useTranslation();
  const save = useSaveLayout();
  const [customising, setCustomising] = useState(false);
  const panelId = useId();
  const visible = visibleWidgets(widgets);
  const hidden = hiddenWidgets(widgets);
  const label = (id: WidgetId | string) => t(`dashboard.widgets.${id as WidgetId}`);

  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 5 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  const ids = visible.map((w) => w.id);
  const announcements = useMemo<Announcements>(() => {
    const place = (id: string | number | undefined) => ({
      position: ids.indexOf(id as WidgetId) + 1,
      total: ids.length,
    });
    return {
      onDragStart: ({ active }) => t("dashboard.dnd.start", { widget: label(String(active.id)), ...place(active.id) }),
      onDragOver: ({ active, over }) =>
        over ? t("dashboard.dnd.over", { widget: label(String(active.id)), ...place(over.id) }) : undefined,
      onDragEnd: ({ active, over }) =>
        over ? t("dashboard.dnd.end", { widget: label(String(active.id)), ...place(over.id) }) : undefined,
      onDragCancel: ({ active }) => t("dashboard.dnd.cancel", { widget: label(String(active.id)) }),
    };
    // `label` follows `t`; the ids by value.
  }, [t, ids.join()]);

  const change = (next: WidgetOut[]) => {
    save.reset();
    save.mutate(next);
  };
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (over && active.id !== over.id) change(moveWidget(widgets, active.id as WidgetId, over.id as WidgetId));
  };

  const reason = save.error ? (isApiError(save.error) && save.error.code !== "network_error" ? save.error.message : t("errors.network")) : "";
  return (
    <>
      <div className="dashboard__bar">
        <h2 id={headingId}>{t("dashboard.widgetsHeading")}</h2>
        <button
          type="button"
          className="button"
          aria-expanded={customising}
          aria-controls={panelId}
          onClick={() => setCustomising(!customising)}
        >
          {hidden.length ? t("dashboard.customiseCount", { count: hidden.length }) : t("dashboard.customise")}
        </button>
      </div>
      {save.isError && (
        <div role="alert" className="form-error dashboard__error">
          <span>{t("dashboard.saveFailed", { reason })}</span>
          <button type="button" className="button--link button" onClick={() => save.reset()}>
            {t("dashboard.dismiss")}
          </button>
        </div>
      )}
      <div id={panelId} className="card dashboard__customise" hidden={!customising}>
        <h3>{t("dashboard.customiseTitle")}</h3>
        <p className="field__hint">{t("dashboard.customiseHint")}</p>
        {hidden.length === 0 ? (
          <p>{t("dashboard.customiseEmpty")}</p>
        ) : (
          <ul className="dashboard__hidden">
            {hidden.map((w) => (
              <li key={w.id}>
                <span>{label(w.id)}</span>
                <button type="button" className="button" onClick={() => change(setVisible(widgets, w.id, true))}>
                  {t("dashboard.show", { widget: label(w.id) })}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      <DndContext
        sensors={sensors}
        collisionDetection={closestCenter}
        onDragEnd={onDragEnd}
        accessibility={{ announcements, screenReaderInstructions: { draggable: t("dashboard.dnd.instructions") } }}
      >
        <SortableContext items={ids} strategy={rectSortingStrategy}>
          <ul className="widgets">
            {visible.map((widget) => (
              <SortableWidget
                key={widget.id}
                widget={widget}
                label={label(widget.id)}
                onHide={() => change(setVisible(widgets, widget.id, false))}
              />
            ))}
          </ul>
        </SortableContext>
      </DndContext>
    </>
  );
}

function SortableWidget({ widget, label, onHide }: { widget: WidgetOut; label: string; onHide: () => void }) {
  const { t, i18n } = useTranslation();
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({
    id: widget.id,
  });
  const headingId = useId();
  const number = new Intl.NumberFormat(i18n.language);
  const { main, more } = figures(widget);
  return (
    <li
      ref={setNodeRef}
      className={isDragging ? "widget widget--dragging" : "widget"}
      style={{ transform: CSS.Translate.toString(transform), transition }}
    >
      <section aria-labelledby={headingId} data-widget={widget.id}>
        <div className="widget__header">
          <h3 id={headingId}>{label}</h3>
          <div className="widget__tools">
            <button
              ref={setActivatorNodeRef}
              type="button"
              className="widget__tool widget__handle"
              {...attributes}
              {...listeners}
              aria-label={t("dashboard.move", { widget: label })}
            >
              <span aria-hidden="true">⠿</span>
            </button>
            <button type="button" className="widget__tool" aria-label={t("dashboard.hide", { widget: label })} onClick={onHide}>
              <span aria-hidden="true">×</span>
            </button>
          </div>
        </div>
        <dl className="widget__figures">
          <div className="widget__main">
            <dt className="widget__label">{t(`dashboard.figures.${main.key}`)}</dt>
            <dd className="widget__value">{number.format(main.value)}</dd>
          </div>
          {more.map((figure) => (
            <div key={figure.key} className="widget__more">
              <dt>{t(`dashboard.figures.${figure.key}`)}</dt>
              <dd>{number.format(figure.value)}</dd>
            </div>
          ))}
        </dl>
      </section>
    </li>
  );
}
