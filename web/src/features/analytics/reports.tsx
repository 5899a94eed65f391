/** The seven reports' views: headline totals, charts, and each chart's figures as a table. */
import { useMemo } from "react";
import { useTranslation } from "react-i18next";

import { barsHeight, barsOption, pieOption, seriesOption } from "./charts";
import { useUserNames, type ReportName, type Reports } from "./data";
import { formats, type Formats } from "./format";
import { ChartFigure, DataTable, Totals } from "./parts";

function useView() {
  const { t, i18n } = useTranslation();
  const fmt = useMemo<Formats>(() => formats(i18n.language), [i18n.language]);
  const name = useUserNames();
  const userName = (id: string) => name(id) ?? t("analytics.unknownUser");
  const fig = (key: string) => t(`analytics.figures.${key}` as "analytics.figures.created");
  return { t, fmt, userName, fig };
}

const money = (m: { amount: string }) => Number(m.amount);

export function DealsView({ data }: { data: Reports["deals"] }) {
  const { t, fmt, fig } = useView();
  const { totals, funnel, series, interval } = data;
  const dates = series.map((p) => fmt.bucket(p.date, interval));
  const currency = totals.won_value.currency;
  const asMoney = (v: number) => fmt.money({ amount: String(v), currency });
  const asShortMoney = (v: number) => fmt.moneyShort({ amount: String(v), currency });
  const status = (s: string) => t(`deals.status.${s}` as "deals.status.new", { defaultValue: s });
  return (
    <>
      <Totals
        items={[
          { label: fig("created"), value: fmt.count(totals.created) },
          { label: fig("won"), value: fmt.count(totals.won) },
          { label: fig("canceled"), value: fmt.count(totals.canceled) },
          { label: fig("conversion"), value: fmt.percent(totals.conversion) },
          {
            label: fig("avg_duration_days"),
            value: totals.avg_duration_days === null || totals.avg_duration_days === undefined ? t("analytics.noDuration") : fmt.days(totals.avg_duration_days),
          },
          { label: fig("won_value"), value: fmt.money(totals.won_value) },
        ]}
      />
      <div className="analytics__grid">
        <ChartFigure
          title={t("analytics.charts.dealsOverTime")}
          option={seriesOption(dates, [
            { name: fig("created"), values: series.map((p) => p.created), bar: true },
            { name: fig("won"), values: series.map((p) => p.won), bar: true },
          ])}
          columns={[t("analytics.columns.date"), fig("created"), fig("won"), fig("won_value")]}
          rows={series.map((p, i) => [dates[i]!, fmt.count(p.created), fmt.count(p.won), fmt.money(p.won_value)])}
        />
        <ChartFigure
          title={t("analytics.charts.funnel")}
          option={barsOption(funnel.map((s) => status(s.status)), [{ name: t("analytics.columns.count"), values: funnel.map((s) => s.count) }])}
          height={barsHeight(funnel.length)}
          columns={[t("analytics.columns.status"), t("analytics.columns.count")]}
          rows={funnel.map((s) => [status(s.status), fmt.count(s.count)])}
        />
        <ChartFigure
          title={t("analytics.charts.wonValueOverTime")}
          option={seriesOption(dates, [{ name: fig("won_value"), values: series.map((p) => money(p.won_value)), area: true }], asMoney, asShortMoney)}
          columns={[t("analytics.columns.date"), fig("won_value")]}
          rows={series.map((p, i) => [dates[i]!, fmt.money(p.won_value)])}
        />
      </div>
    </>
  );
}

export function CallsView({ data }: { data: Reports["calls"] }) {
  const { t, fmt, fig, userName } = useView();
  const { totals, by_user: byUser, series, interval } = data;
  const dates = series.map((p) => fmt.bucket(p.date, interval));
  const kinds = ["incoming", "outgoing", "missed"] as const;
  return (
    <>
      <Totals
        items={[
          ...kinds.map((k) => ({ label: fig(k), value: fmt.count(totals[k]) })),
          { label: fig("duration_s"), value: fmt.duration(totals.duration_s) },
        ]}
      />
      <div className="analytics__grid">
        <ChartFigure
          title={t("analytics.charts.callsOverTime")}
          option={seriesOption(dates, kinds.map((k) => ({ name: fig(k), values: series.map((p) => p[k]), bar: true, stack: "calls" })))}
          columns={[t("analytics.columns.date"), ...kinds.map(fig)]}
          rows={series.map((p, i) => [dates[i]!, ...kinds.map((k) => fmt.count(p[k]))])}
        />
        <ChartFigure
          title={t("analytics.charts.callsPerUser")}
          option={barsOption(byUser.map((u) => userName(u.user_id)), kinds.map((k) => ({ name: fig(k), values: byUser.map((u) => u[k]), stack: "calls" })))}
          height={barsHeight(byUser.length)}
          open
          columns={[t("analytics.columns.user"), ...kinds.map(fig), fig("duration_s")]}
          rows={byUser.map((u) => [userName(u.user_id), ...kinds.map((k) => fmt.count(u[k])), fmt.duration(u.duration_s)])}
        />
      </div>
    </>
  );
}

export function SourcesView({ data }: { data: Reports["sources"] }) {
  const { t, fmt, fig } = useView();
  const { items } = data;
  if (!items.length) return <p>{t("analytics.noSources")}</p>;
  const tag = (i: { param: string; value: string }) => `${i.param}: ${i.value}`;
  const names = items.map(tag);
  const kinds = ["leads", "clients", "deals"] as const;
  const currency = items[0]!.won_value.currency;
  return (
    <div className="analytics__grid">
      <ChartFigure
        title={t("analytics.charts.sourcesCounts")}
        option={barsOption(names, kinds.map((k) => ({ name: fig(k), values: items.map((i) => i[k]) })))}
        height={barsHeight(items.length * 2)}
        open
        columns={[t("analytics.columns.source"), ...kinds.map(fig), fig("won_value")]}
        rows={items.map((i) => [tag(i), ...kinds.map((k) => fmt.count(i[k])), fmt.money(i.won_value)])}
      />
      <ChartFigure
        title={t("analytics.charts.sourcesValue")}
        option={barsOption(
          names,
          [{ name: fig("won_value"), values: items.map((i) => money(i.won_value)) }],
          (v) => fmt.money({ amount: String(v), currency }),
          (v) => fmt.moneyShort({ amount: String(v), currency }),
        )}
        height={barsHeight(items.length)}
        columns={[t("analytics.columns.source"), fig("won_value")]}
        rows={items.map((i) => [tag(i), fmt.money(i.won_value)])}
      />
    </div>
  );
}

export function LeadsView({ data }: { data: Reports["leads"] }) {
  const { t, fmt, fig } = useView();
  const { totals, by_source: bySource, series, interval } = data;
  const dates = series.map((p) => fmt.bucket(p.date, interval));
  const source = (s: string) => t(`analytics.leadSources.${s}` as "analytics.leadSources.manual", { defaultValue: s });
  return (
    <>
      <Totals
        items={(["created", "converted", "poor_quality"] as const).map((k) => ({ label: fig(k), value: fmt.count(totals[k]) }))}
      />
      <div className="analytics__grid">
        <ChartFigure
          title={t("analytics.charts.leadSources")}
          option={pieOption(bySource.map((s) => ({ name: source(s.lead_source), value: s.count })))}
          empty={bySource.length === 0}
          columns={[t("analytics.columns.leadSource"), fig("count")]}
          rows={bySource.map((s) => [source(s.lead_source), fmt.count(s.count)])}
        />
        <ChartFigure
          title={t("analytics.charts.leadsOverTime")}
          option={seriesOption(dates, [
            { name: fig("created"), values: series.map((p) => p.created), bar: true },
            { name: fig("converted"), values: series.map((p) => p.converted), bar: true },
          ])}
          columns={[t("analytics.columns.date"), fig("created"), fig("converted")]}
          rows={series.map((p, i) => [dates[i]!, fmt.count(p.created), fmt.count(p.converted)])}
        />
        <ChartFigure
          title={t("analytics.charts.pool")}
          option={seriesOption(dates, [{ name: fig("unsorted"), values: series.map((p) => p.unsorted), area: true }])}
          columns={[t("analytics.columns.date"), fig("unsorted")]}
          rows={series.map((p, i) => [dates[i]!, fmt.count(p.unsorted)])}
        />
      </div>
    </>
  );
}

export function ClientsView({ data }: { data: Reports["clients"] }) {
  const { t, fmt, fig, userName } = useView();
  const { totals, by_user: byUser, series, interval } = data;
  const dates = series.map((p) => fmt.bucket(p.date, interval));
  // Growth: the clients created since the period began, bucket after bucket.
  const running = series.reduce<number[]>((acc, p) => [...acc, (acc.at(-1) ?? 0) + p.created], []);
  return (
    <>
      <Totals items={[{ label: fig("created"), value: fmt.count(totals.created) }]} />
      <div className="analytics__grid">
        <ChartFigure
          title={t("analytics.charts.clientsGrowth")}
          option={seriesOption(dates, [
            { name: fig("created"), values: series.map((p) => p.created), bar: true },
            { name: t("analytics.cumulative"), values: running },
          ])}
          columns={[t("analytics.columns.date"), fig("created"), t("analytics.cumulative")]}
          rows={series.map((p, i) => [dates[i]!, fmt.count(p.created), fmt.count(running[i]!)])}
        />
        <ChartFigure
          title={t("analytics.charts.clientsPerUser")}
          option={barsOption(byUser.map((u) => userName(u.user_id)), [{ name: fig("created"), values: byUser.map((u) => u.created) }])}
          height={barsHeight(byUser.length)}
          open
          columns={[t("analytics.columns.user"), fig("created")]}
          rows={byUser.map((u) => [userName(u.user_id), fmt.count(u.created)])}
        />
      </div>
    </>
  );
}

export function TasksView({ data }: { data: Reports["tasks"] }) {
  const { t, fmt, fig, userName } = useView();
  const byUser = data.by_user;
  const kinds = ["open", "completed", "overdue"] as const;
  return (
    <ChartFigure
      title={t("analytics.charts.tasksPerUser")}
      option={barsOption(byUser.map((u) => userName(u.user_id)), kinds.map((k) => ({ name: fig(k), values: byUser.map((u) => u[k]) })))}
      height={barsHeight(byUser.length * 2)}
      open
      columns={[t("analytics.columns.user"), ...kinds.map(fig)]}
      rows={byUser.map((u) => [userName(u.user_id), ...kinds.map((k) => fmt.count(u[k]))])}
    />
  );
}

export function TeamView({ data }: { data: Reports["team"] }) {
  const { t, fmt, fig, userName } = useView();
  const counts = ["calls", "clients_created", "leads_converted", "deals_won", "tasks_completed"] as const;
  return (
    <section className="card analytics__figure">
      <DataTable
        title={t("analytics.charts.team")}
        columns={[t("analytics.columns.user"), fig("calls"), fig("talk_s"), ...counts.slice(1).map(fig), fig("won_value")]}
        rows={data.by_user.map((u) => [
          userName(u.user_id),
          fmt.count(u.calls),
          fmt.duration(u.talk_s),
          ...counts.slice(1).map((k) => fmt.count(u[k])),
          fmt.money(u.won_value),
        ])}
      />
    </section>
  );
}

export const REPORT_VIEWS: { [R in ReportName]: (props: { data: Reports[R] }) => React.ReactNode } = {
  deals: DealsView,
  calls: CallsView,
  sources: SourcesView,
  leads: LeadsView,
  clients: ClientsView,
  tasks: TasksView,
  team: TeamView,
};
