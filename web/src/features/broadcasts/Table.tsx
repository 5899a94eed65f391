import type { ReactNode } from "react";

/** A table with a caption (for screen readers, by its class) and one header row of column labels. */
export function CaptionedTable(props: { className: string; captionClassName: string; caption: string; columns: readonly string[]; children: ReactNode }) {
  return (
    <table className={props.className}>
      <caption className={props.captionClassName}>{props.caption}</caption>
      <thead>
        <tr>
          {props.columns.map((label, i) => (
            <th key={i} scope="col">
              {label}
            </th>
          ))}
        </tr>
      </thead>
      {props.children}
    </table>
  );
}
