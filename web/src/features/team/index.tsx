/** The team screens, loaded lazily as one chunk. */
export { GroupsPage } from "./GroupsPage";
export { UsersPage } from "./UsersPage";
