/** The deals Kanban: one column per status (count, total in the base currency, first cards,
 *  "load more"), cards dragged between and within columns with the mouse or the keyboard. */
import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  closestCorners,
  useDroppable,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
  type DragStartEvent,
} from "@dnd-kit/core";
import { SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { useRights } from "../../app/rights";
import { QueryState } from "../../components/QueryState";
import { columnId, findDeal, moveBody, moveFromDrop, type Board, type Column, type Deal } from "./board";
import { formatMoney, useBoard, useLoadMore, useMoveDeal, useUserNames, useUsers } from "./hooks";
import { DealsTabs } from "./DealsTabs";

export function DealsBoard() {
  const { t } = useTranslation();
  const board = useBoard();
  useUsers(); // the names on the cards: asked for beside the board, not after it
  return (
    <div className="deals">
      <DealsTabs title={t("deals.board.title")} />
      <QueryState query={board}>{(data) => <BoardView board={data} />}</QueryState>
    </div>
  );
}

function BoardView({ board }: { board: Board }) {
  const { t } = useTranslation();
  const [message, setMessage] = useState<string>();
  const [active, setActive] = useState<Deal>();
  const move = useMoveDeal(setMessage);
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 5 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  const announcements = useAnnouncements(board);
  const names = useUserNames();
  const movable = useRights().can("customers_edit");

  function onDragStart(event: DragStartEvent) {
    setMessage(undefined);
    setActive(findDeal(board, String(event.active.id))?.deal);
  }

  function onDragEnd(event: DragEndEvent) {
    setActive(undefined);
    if (!event.over) return;
    const m = moveFromDrop(board, String(event.active.id), String(event.over.id));
    const body = m && moveBody(board, m);
    if (m && body) move.mutate({ move: m, body });
  }

  return (
    <>
      {!movable && <p className="muted">{t("deals.board.readOnly")}</p>}
      {message && (
        <div className="form-error deals__message" role="alert">
          {message}
          <button type="button" className="button--link button" onClick={() => setMessage(undefined)}>
            {t("deals.dismiss")}
          </button>
        </div>
      )}
      <DndContext
        sensors={sensors}
        collisionDetection={closestCorners}
        onDragStart={onDragStart}
        onDragEnd={onDragEnd}
        onDragCancel={() => setActive(undefined)}
        accessibility={{ announcements, screenReaderInstructions: { draggable: t("deals.board.instructions") } }}
      >
        <div className="board">
          {board.columns.map((column) => (
            <BoardColumn key={column.status} column={column} names={names} movable={movable} />
          ))}
        </div>
        <DragOverlay>{active ? <CardBody deal={active} names={names} overlay /> : null}</DragOverlay>
      </DndContext>
    </>
  );
}

function useAnnouncements(board: Board): Announcements {
  const { t } = useTranslation();
  return useMemo(() => {
    const title = (id: string | number) => findDeal(board, String(id))?.deal.title ?? "";
    const where = (id: string | number | undefined) => {
      if (id === undefined) return "";
      const column = board.columns.find((c) => columnId(c.status) === id) ?? findDeal(board, String(id))?.column;
      return column ? t(`deals.status.${column.status}`) : "";
    };
    return {
      onDragStart: ({ active }) => t("deals.board.picked", { title: title(active.id) }),
      onDragOver: ({ active, over }) =>
        over ? t("deals.board.over", { title: title(active.id), column: where(over.id) }) : undefined,
      onDragEnd: ({ active, over }) =>
        over ? t("deals.board.dropped", { title: title(active.id), column: where(over.id) }) : t("deals.board.cancelled"),
      onDragCancel: () => t("deals.board.cancelled"),
    };
  }, [board, t]);
}

type Names = Map<string, string>;

function BoardColumn({ column, names, movable }: { column: Column; names: Names; movable: boolean }) {
  const { t, i18n } = useTranslation();
  const { setNodeRef, isOver } = useDroppable({ id: columnId(column.status) });
  const more = useLoadMore();
  const headingId = `deals-column-${column.status}`;
  const left = column.count - column.items.length;
  return (
    <section className={isOver ? "board__column board__column--over" : "board__column"} aria-labelledby={headingId}>
      <header className="board__header">
        <h2 id={headingId}>{t(`deals.status.${column.status}`)}</h2>
        <p className="board__stats" data-testid={`stats-${column.status}`}>
          <span>{t("deals.board.count", { count: column.count })}</span>
          <span className="board__total">{formatMoney(column.total, i18n.language)}</span>
        </p>
      </header>
      <SortableContext id={column.status} items={column.items.map((d) => d.id)} strategy={verticalListSortingStrategy}>
        <ul ref={setNodeRef} className="board__cards" aria-label={t("deals.board.cardsOf", { column: t(`deals.status.${column.status}`) })}>
          {column.items.map((deal) => (
            <SortableCard key={deal.id} deal={deal} names={names} movable={movable} />
          ))}
        </ul>
      </SortableContext>
      {column.next_cursor && (
        <button
          type="button"
          className="button board__more"
          disabled={more.isPending}
          onClick={() => more.mutate({ status: column.status, cursor: column.next_cursor! })}
        >
          {more.isPending ? t("app.loading") : t("deals.board.more", { count: Math.max(left, 0) })}
        </button>
      )}
    </section>
  );
}

function SortableCard({ deal, names, movable }: { deal: Deal; names: Names; movable: boolean }) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({
    id: deal.id,
    disabled: !movable,
  });
  return (
    <li
      ref={setNodeRef}
      className={isDragging ? "deal-card deal-card--dragging" : "deal-card"}
      style={{ transform: CSS.Transform.toString(transform), transition }}
    >
      <CardBody
        deal={deal}
        names={names}
        handle={movable ? { ref: setActivatorNodeRef, props: { ...attributes, ...listeners } } : undefined}
      />
    </li>
  );
}

function CardBody({
  deal,
  names,
  handle,
  overlay,
}: {
  deal: Deal;
  names: Names;
  handle?: { ref: (el: HTMLElement | null) => void; props: Record<string, unknown> };
  overlay?: boolean;
}) {
  const { t, i18n } = useTranslation();
  return (
    <div className={overlay ? "deal-card__body deal-card--overlay" : "deal-card__body"}>
      <div className="deal-card__top">
        {overlay ? <span className="deal-card__title">{deal.title}</span> : <Link className="deal-card__title" to={`/deals/${deal.id}`}>{deal.title}</Link>}
        {handle && (
          <button
            type="button"
            ref={handle.ref}
            className="deal-card__handle"
            aria-label={t("deals.board.moveCard", { title: deal.title })}
            {...handle.props}
            aria-roledescription={t("deals.board.roleDescription")}
          >
            <span aria-hidden="true">⠿</span>
          </button>
        )}
      </div>
      <div className="deal-card__meta">
        <span>{formatMoney(deal.value, i18n.language)}</span>
        <span>{names.get(deal.responsible_user_id) ?? ""}</span>
      </div>
    </div>
  );
}
