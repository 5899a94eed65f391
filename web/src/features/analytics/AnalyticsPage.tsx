/**
 * The analytics pages: one per report of `GET /v1/analytics/{report}`, each with the period
 * picker (presets or custom dates, the series interval) and, for a user with the report's
 * view-all right, the user filter. The selection lives in the address, so it follows from one
 * report to the next and survives a reload.
 */
import { useId, useMemo, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { NavLink, useSearchParams } from "react-router";

import { useRights } from "../../app/rights";
import { QueryState } from "../../components/QueryState";
import "./analytics.css";
import { AREA_RIGHT, REPORTS, useCalendar, useReport, useUsers, type ReportName, type Reports } from "./data";
import { formats } from "./format";
import { INTERVALS, PRESETS, readSelection, type Preset, type Selection } from "./period";
import { REPORT_VIEWS } from "./reports";

export function AnalyticsPage({ report }: { report: ReportName }) {
  const { t, i18n } = useTranslation();
  const calendar = useCalendar();
  const rights = useRights();
  const [params] = useSearchParams();
  const selection = readSelection(params, calendar.today, calendar.weekStart);
  const others = rights.can(AREA_RIGHT[report]);
  // Another user's figures only for whoever may see them (else the API's 403).
  const userId = others ? selection.userId : undefined;
  const query = useReport(
    report,
    { period: selection.period, interval: selection.interval, userId },
    calendar.ready && rights.loaded && !selection.invalid,
  );
  const fmt = useMemo(() => formats(i18n.language), [i18n.language]);
  const View = REPORT_VIEWS[report] as (props: { data: Reports[ReportName] }) => ReactNode;
  const search = params.toString();

  return (
    <div className="analytics">
      <h1>{t("analytics.title")}</h1>
      <nav aria-label={t("analytics.reportsNav")} className="analytics__reports">
        {REPORTS.map((name) => (
          <NavLink key={name} to={{ pathname: `/analytics/${name}`, search }}>
            {t(`analytics.reports.${name}`)}
          </NavLink>
        ))}
      </nav>
      <h2>{t(`analytics.reports.${report}`)}</h2>
      <Filters selection={selection} others={others} report={report} />
      <p className="analytics__showing">
        {t("analytics.showing", { from: fmt.date(selection.period.from), to: fmt.date(selection.period.to) })}
      </p>
      {!selection.invalid && (
        <div aria-busy={query.isFetching} className="analytics__body">
          <QueryState query={query}>{(data) => <View data={data} />}</QueryState>
        </div>
      )}
    </div>
  );
}

function Filters({ selection, others, report }: { selection: Selection; others: boolean; report: ReportName }) {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const users = useUsers();
  const ids = { preset: useId(), from: useId(), to: useId(), interval: useId(), user: useId(), error: useId() };

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next, { replace: true });
  };
  const choosePreset = (preset: Preset) =>
    // A preset brings its own interval; custom dates start from the period shown.
    update(
      preset === "custom"
        ? { period: preset, from: selection.period.from, to: selection.period.to }
        : { period: preset, from: undefined, to: undefined, interval: undefined },
    );

  return (
    <fieldset className="analytics__filters">
      <legend>{t("analytics.filters")}</legend>
      <div className="field">
        <label htmlFor={ids.preset}>{t("analytics.period")}</label>
        <select id={ids.preset} value={selection.preset} onChange={(e) => choosePreset(e.target.value as Preset)}>
          {PRESETS.map((preset) => (
            <option key={preset} value={preset}>
              {t(`analytics.presets.${preset}`)}
            </option>
          ))}
        </select>
      </div>
      {selection.preset === "custom" && (
        <>
          <div className="field">
            <label htmlFor={ids.from}>{t("analytics.from")}</label>
            <input
              id={ids.from}
              type="date"
              value={selection.period.from}
              aria-invalid={!!selection.invalid}
              aria-describedby={selection.invalid ? ids.error : undefined}
              onChange={(e) => e.target.value && update({ from: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor={ids.to}>{t("analytics.to")}</label>
            <input
              id={ids.to}
              type="date"
              value={selection.period.to}
              aria-invalid={!!selection.invalid}
              aria-describedby={selection.invalid ? ids.error : undefined}
              onChange={(e) => e.target.value && update({ to: e.target.value })}
            />
          </div>
        </>
      )}
      <div className="field">
        <label htmlFor={ids.interval}>{t("analytics.interval")}</label>
        <select id={ids.interval} value={selection.interval} onChange={(e) => update({ interval: e.target.value })}>
          {INTERVALS.map((interval) => (
            <option key={interval} value={interval}>
              {t(`analytics.intervals.${interval}`)}
            </option>
          ))}
        </select>
      </div>
      {others ? (
        <div className="field">
          <label htmlFor={ids.user}>{t("analytics.user")}</label>
          <select id={ids.user} value={selection.userId ?? ""} onChange={(e) => update({ user: e.target.value || undefined })}>
            <option value="">{t("analytics.everyone")}</option>
            {(users.data?.items ?? []).map((user) => (
              <option key={user.id} value={user.id}>
                {user.name}
              </option>
            ))}
            {/* A user from the address not (yet) in the list keeps the selection visible. */}
            {selection.userId && users.data && !users.data.items.some((u) => u.id === selection.userId) && (
              <option value={selection.userId}>{t("analytics.unknownUser")}</option>
            )}
          </select>
        </div>
      ) : (
        <p className="analytics__own">{t("analytics.ownOnly", { right: t(`analytics.rights.${AREA_RIGHT[report] as "leads_view"}`) })}</p>
      )}
      {selection.invalid && (
        <p id={ids.error} role="alert" className="form-error">
          {t(`analytics.invalid.${selection.invalid}`)}
        </p>
      )}
    </fieldset>
  );
}
