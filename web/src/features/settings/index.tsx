/** The settings screens, one lazily loaded chunk. */
import "./settings.css";

export { SettingsLayout } from "./SettingsLayout";
export { ProfilePage } from "./ProfilePage";
export { WorkingHoursPage } from "./WorkingHoursPage";
export { CompanyPage } from "./CompanyPage";
export { TelephonyPage } from "./TelephonyPage";
export { PropertiesPage } from "./PropertiesPage";
export { SourceTagsPage } from "./SourceTagsPage";
