/**
 * The parts of a broadcast's report shared by the email and SMS screens: the progress panel (bar,
 * figures, error, cancel) and the per-recipient table with its "failures only" filter. Every text
 * comes from the caller, so each screen keeps its own strings.
 */
import { useMutation, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { isApiError } from "../../api/errors";
import { CaptionedTable } from "./Table";

export interface ProgressFigures {
  status: string;
  total: number;
  sent: number;
  failed: number;
  error?: string | null;
}

export interface ProgressLabels {
  heading: string;
  progressLabel: string;
  progressText: (done: string, total: string) => string;
  total: string;
  sent: string;
  failed: string;
  pending: string;
  confirmCancel: string;
  cancel: string;
}

export interface BroadcastProgressProps {
  broadcast: ProgressFigures;
  running: boolean;
  headingId: string;
  sectionClassName: string;
  progressClassName: string;
  figuresClassName: string;
  labels: ProgressLabels;
  /** Asks the API to cancel; `invalidate` is refreshed once it settles. */
  cancel: () => Promise<unknown>;
  invalidate: QueryKey;
  /** What stands between the heading and the bar (the status line, dates). */
  children: ReactNode;
}

export function BroadcastProgress(props: BroadcastProgressProps) {
  const { broadcast: b, running, headingId, sectionClassName, progressClassName, figuresClassName, labels, invalidate, children } = props;
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const cancel = useMutation({
    mutationFn: props.cancel,
    onSettled: () => client.invalidateQueries({ queryKey: invalidate }),
  });
  const done = b.sent + b.failed;
  const number = new Intl.NumberFormat(i18n.language);
  const figures: [string, number][] = [
    [labels.total, b.total],
    [labels.sent, b.sent],
    [labels.failed, b.failed],
    [labels.pending, Math.max(b.total - done, 0)],
  ];
  return (
    <section className={sectionClassName} aria-labelledby={headingId}>
      <h2 id={headingId}>{labels.heading}</h2>
      {children}
      <progress className={progressClassName} max={Math.max(b.total, 1)} value={done} aria-label={labels.progressLabel}
        aria-valuetext={labels.progressText(number.format(done), number.format(b.total))} />
      <dl className={figuresClassName}>
        {figures.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{number.format(value)}</dd>
          </div>
        ))}
      </dl>
      {b.error && (
        <p role="alert" className="form-error">
          {b.error}
        </p>
      )}
      {cancel.isError && (
        <p role="alert" className="form-error">
          {isApiError(cancel.error) ? cancel.error.message : t("errors.unexpected")}
        </p>
      )}
      {running && (
        <div className="actions">
          <button type="button" className="button" disabled={cancel.isPending}
            onClick={() => {
              if (window.confirm(labels.confirmCancel)) cancel.mutate();
            }}>
            {labels.cancel}
          </button>
        </div>
      )}
    </section>
  );
}

export interface RecipientReportProps<R extends { status: string }> {
  recipients: readonly R[];
  headingId: string;
  heading: string;
  failuresOnly: string;
  /** The four column headers: contact, address, status, reason. */
  columns: readonly [string, string, string, string];
  sectionClassName: string;
  checkClassName: string;
  tableClassName: string;
  captionClassName: string;
  /** One recipient's `<tr>`. */
  row: (r: R, i: number) => ReactNode;
}

export function RecipientReport<R extends { status: string }>(props: RecipientReportProps<R>) {
  const { recipients, headingId, heading, columns, sectionClassName, checkClassName, tableClassName, captionClassName, row } = props;
  const [failuresOnly, setFailuresOnly] = useState(false);
  const shown = failuresOnly ? recipients.filter((r) => r.status === "failed") : recipients;
  return (
    <section className={sectionClassName} aria-labelledby={headingId}>
      <h2 id={headingId}>{heading}</h2>
      <label className={checkClassName}>
        <input type="checkbox" checked={failuresOnly} onChange={(e) => setFailuresOnly(e.target.checked)} />
        {props.failuresOnly}
      </label>
      <CaptionedTable className={tableClassName} captionClassName={captionClassName} caption={heading} columns={columns}>
        <tbody>{shown.map(row)}</tbody>
      </CaptionedTable>
    </section>
  );
}
