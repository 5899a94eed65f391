/** The deals screens, one lazily loaded chunk (the board and drag and drop stay out of the initial JS). */
import "./deals.css";

export { DealPage } from "./DealPage";
export { DealsBoard } from "./DealsBoard";
export { DealsList } from "./DealsList";
export { NewDeal } from "./NewDeal";
