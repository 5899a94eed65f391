import { useTranslation } from "react-i18next";
import { Link, NavLink } from "react-router";

import { useRights } from "../../app/rights";

/** The deals screens' heading: board / list switch and the "new deal" action. */
export function DealsTabs({ title }: { title: string }) {
  const { t } = useTranslation();
  const rights = useRights();
  return (
    <div className="deals__head">
      <h1>{title}</h1>
      <nav aria-label={t("deals.views")} className="tabs">
        <NavLink to="/deals" end>
          {t("deals.board.tab")}
        </NavLink>
        <NavLink to="/deals/list">{t("deals.list.tab")}</NavLink>
      </nav>
      {rights.can("customers_create") && (
        <Link className="button button--primary" to="/deals/new">
          {t("deals.create.action")}
        </Link>
      )}
    </div>
  );
}
