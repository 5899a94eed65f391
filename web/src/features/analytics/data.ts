/** The analytics queries: the seven reports (TanStack Query), the users' names, the company's today. */
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";

import { unwrap, type Schemas } from "../../api/client";
import { useApi, useMe } from "../../app/session";
import type { Permission } from "../../app/rights";
import type { Interval, Period, WeekStart } from "./period";
import { todayIn } from "./period";

export const REPORTS = ["deals", "calls", "sources", "leads", "clients", "tasks", "team"] as const;
export type ReportName = (typeof REPORTS)[number];

export interface Reports {
  deals: Schemas["DealsReport"];
  calls: Schemas["CallsReport"];
  sources: Schemas["SourcesReport"];
  leads: Schemas["LeadsReport"];
  clients: Schemas["ClientsReport"];
  tasks: Schemas["TasksReport"];
  team: Schemas["TeamReport"];
}

/** The right that shows other users' figures, per report (docs/analytics-api.md, services/analytics.py). */
export const AREA_RIGHT: Record<ReportName, Permission> = {
  deals: "customers_view_all",
  calls: "calls_other_users_access",
  sources: "customers_view_all",
  leads: "leads_view",
  clients: "customers_view_all",
  tasks: "calendar_other_users_access",
  team: "customers_view_all",
};

export interface ReportQuery {
  period: Period;
  interval: Interval;
  userId: string | undefined;
}

export function useReport<R extends ReportName>(report: R, { period, interval, userId }: ReportQuery, enabled = true) {
  const api = useApi();
  return useQuery({
    queryKey: ["analytics", report, period.from, period.to, interval, userId ?? null],
    queryFn: () =>
      unwrap(
        api.GET(`/v1/analytics/${report}` as "/v1/analytics/deals", {
          params: { query: { from: period.from, to: period.to, interval, ...(userId ? { user_id: userId } : {}) } },
        }),
      ) as Promise<Reports[R]>,
    enabled,
    placeholderData: (previous) => previous,
  });
}

/** The CRM's users (names in `by_user` tables and in the user filter). */
export function useUsers() {
  const api = useApi();
  return useQuery({
    queryKey: ["users", "all"],
    queryFn: () => unwrap(api.GET("/v1/users", { params: { query: { limit: 100 } } })),
    staleTime: 300_000,
  });
}

export function useUserNames(): (id: string) => string | undefined {
  const items = useUsers().data?.items;
  return useMemo(() => {
    const names = new Map((items ?? []).map((u) => [u.id, u.name]));
    return (id: string) => names.get(id);
  }, [items]);
}

/** Today in the company's time zone (the API's days) and the user's week start (its weeks). */
export function useCalendar(): { today: string; weekStart: WeekStart; ready: boolean } {
  const api = useApi();
  const me = useMe();
  const company = useQuery({
    queryKey: ["settings", "company"],
    queryFn: () => unwrap(api.GET("/v1/settings/company")),
    staleTime: 300_000,
  });
  return {
    today: todayIn(company.data?.timezone),
    weekStart: me.data?.week_start === "sunday" ? "sunday" : "monday",
    ready: !company.isPending && !me.isPending,
  };
}
