/** The analytics chunk (loaded on first visit): one page per report. */
import { AnalyticsPage } from "./AnalyticsPage";

export const DealsAnalytics = () => <AnalyticsPage report="deals" />;
export const CallsAnalytics = () => <AnalyticsPage report="calls" />;
export const SourcesAnalytics = () => <AnalyticsPage report="sources" />;
export const LeadsAnalytics = () => <AnalyticsPage report="leads" />;
export const ClientsAnalytics = () => <AnalyticsPage report="clients" />;
export const TasksAnalytics = () => <AnalyticsPage report="tasks" />;
export const TeamAnalytics = () => <AnalyticsPage report="team" />;
