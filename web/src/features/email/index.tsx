/** The email settings screens, one lazily loaded chunk. */
import "./email.css";

export { IntegrationsPage } from "./IntegrationsPage";
export { SignaturesPage } from "./SignaturesPage";
export { ExceptionsPage, DomainsPage } from "./ExceptionsPage";
