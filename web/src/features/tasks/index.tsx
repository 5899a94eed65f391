/** The tasks and calendar screens, one lazily loaded chunk. */
import "../deals/deals.css";
import "./tasks.css";

export { CalendarPage } from "./CalendarPage";
export { TasksBoard, TasksList } from "./TasksPage";
