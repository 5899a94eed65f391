import { useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";

import { useMe, useSession } from "../app/session";
import { LanguageSelect } from "./LanguageSelect";

/** The signed-in user's menu: a disclosure with the language and sign-out (Escape closes it). */
export function UserMenu() {
  const { t } = useTranslation();
  const { signOut } = useSession();
  const navigate = useNavigate();
  const me = useMe();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") {
        setOpen(false);
        button.current?.focus();
      }
    };
    const onClick = (event: MouseEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("mousedown", onClick);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("mousedown", onClick);
    };
  }, [open]);

  const name = me.data?.name ?? "";
  return (
    <div className="user-menu" ref={root}>
      <button
        ref={button}
        type="button"
        className="user-menu__button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={t("shell.userMenu", { name })}
        onClick={() => setOpen(!open)}
      >
        <span className="avatar" aria-hidden="true">
          {name.slice(0, 1).toUpperCase()}
        </span>
        <span className="user-menu__name">{name}</span>
      </button>
      <div id={panelId} className="user-menu__panel" hidden={!open}>
        <p className="user-menu__email">{me.data?.email}</p>
        <Link to="/settings/profile" onClick={() => setOpen(false)}>
          {t("home.profile")}
        </Link>
        <LanguageSelect />
        <button
          type="button"
          className="button"
          onClick={() => {
            signOut();
            void navigate("/sign-in", { replace: true });
          }}
        >
          {t("shell.signOut")}
        </button>
      </div>
    </div>
  );
}
