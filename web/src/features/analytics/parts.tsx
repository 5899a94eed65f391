/** The analytics pages' building blocks: totals, a chart with its data table, a plain table. */
import { useId, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { Chart, type ChartOption } from "./Chart";


/** A table of figures: the first cell of each row is its header. */
export function DataTable({ title, columns, rows }: { title: string; columns: string[]; rows: string[][] }) {
  return (
    // Scrolls when long or wide: focusable, so a keyboard can scroll it too.
    <div className="analytics__table" role="region" aria-label={title} tabIndex={0}>
      <table>
        <caption>{title}</caption>
        <thead>
          <tr>
            {columns.map((column, i) => (
              <th key={i} scope="col" className={i ? "num" : undefined}>
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(([head, ...cells], r) => (
            <tr key={r}>
              <th scope="row">{head}</th>
              {cells.map((cell, c) => (
                <td key={c} className="num">
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * A chart and, as its text alternative, the data table of the same figures (folded away under
 * a disclosure unless `open`).
 */
export function ChartFigure({
  title,
  option,
  columns,
  rows,
  height,
  open = false,
  empty = false,
}: {
  title: string;
  option: ChartOption;
  columns: string[];
  rows: string[][];
  height?: number;
  open?: boolean;
  empty?: boolean;
}) {
  const { t } = useTranslation();
  const headingId = useId();
  const table = <DataTable title={title} columns={columns} rows={rows} />;
  return (
    <section className="card analytics__figure" aria-labelledby={headingId}>
      <h3 id={headingId}>{title}</h3>
      {empty ? (
        <p className="analytics__empty">{t("analytics.empty")}</p>
      ) : (
        <Chart option={option} label={t("analytics.chartLabel", { title })} height={height} />
      )}
      {open ? (
        table
      ) : (
        <details className="analytics__data">
          <summary>{t("analytics.showData", { title })}</summary>
          {table}
        </details>
      )}
    </section>
  );
}

/** The report's headline figures. */
export function Totals({ items }: { items: { label: string; value: ReactNode }[] }) {
  const { t } = useTranslation();
  return (
    <ul className="analytics__totals" aria-label={t("analytics.totals")}>
      {items.map((item) => (
        <li key={item.label} className="card">
          <span className="analytics__total-label">{item.label}</span> <strong>{item.value}</strong>
        </li>
      ))}
    </ul>
  );
}
