/** The integrations screens (settings → API keys, webhooks, Google Calendar), one lazily loaded chunk. */
import "./integrations.css";

export { ApiKeysPage } from "./ApiKeysPage";
export { WebhooksPage } from "./WebhooksPage";
export { CalendarPage } from "./CalendarPage";
