/** The SMS screens (templates and broadcasts), one lazily loaded chunk. */
import "./sms.css";

export { BroadcastReport } from "./BroadcastReport";
export { BroadcastsPage } from "./BroadcastsPage";
export { NewBroadcast } from "./NewBroadcast";
export { TemplatesPage } from "./TemplatesPage";
