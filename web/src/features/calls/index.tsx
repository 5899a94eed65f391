/** The calls and autodial screens (one lazy chunk). */
export { CallLog } from "./CallLog";
export { AutodialPage } from "./Autodial";
export { CallListPage } from "./CallListPage";
