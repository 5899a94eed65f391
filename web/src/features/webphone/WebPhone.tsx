/**
 * The web phone (TE-7): for users in `webphone` mode (or `webphone_working_hours`), the PBX
 * vendor's WebRTC widget with the user's own key from GET /v1/me/webphone; on the local stack
 * (`widget: "stand_in"`), a small stand-in phone showing what it dials, so the flow works
 * offline. Dialling from anywhere in the app (click-to-call, the team list) asks POST /v1/calls,
 * which says `via: "webphone"` when the web phone must dial: it is handed to `useWebphone().dial`.
 * Transfers from the call panel send the PBX's transfer keys through `send`.
 */
import { useQuery } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { unwrap, type Schemas } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useApi, useMe } from "../../app/session";
import "./webphone.css";

type Access = Schemas["WebphoneOut"];
type PhoneCall = { to: string; state: "calling" | "live" | "ended"; sent: string[] };

interface Webphone {
  /** Whether the web phone is on (the user's mode uses it at some time). */
  enabled: boolean;
  dial: (to: string) => void;
  /** Key presses (DTMF) on the call in progress (`party`: the other side of an answered
   * incoming call the phone did not dial): the PBX's transfer codes. */
  send: (digits: string, party?: string) => void;
}

const WebphoneContext = createContext<Webphone>({ enabled: false, dial: () => undefined, send: () => undefined });

export function useWebphone(): Webphone {
  return useContext(WebphoneContext);
}

// The vendor's widget (Zadarma's documented embed): two scripts, then zadarmaWidgetFn(key, login, ...).
const WIDGET_SCRIPTS = [
  "https://my.zadarma.com/webphoneWebRTCWidget/v9/js/loader-phone-lib.js?sub_v=1",
  "https://my.zadarma.com/webphoneWebRTCWidget/v9/js/loader-phone-fn.js?sub_v=1",
];
type WidgetWindow = Window & { zadarmaWidgetFn?: (...args: unknown[]) => void };

function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (document.querySelector(`script[src="${src}"]`)) return resolve();
    const script = document.createElement("script");
    script.src = src;
    script.async = false;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(src));
    document.head.appendChild(script);
  });
}

/** Holds the web phone for the whole signed-in app; renders it beside the content. */
export function WebphoneProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const me = useMe();
  const mode = me.data?.telephony_mode;
  const enabled = Boolean(me.data?.extension) && (mode === "webphone" || mode === "webphone_working_hours");
  const access = useQuery({
    queryKey: ["me", "webphone"],
    queryFn: () => unwrap(api.GET("/v1/me/webphone")),
    enabled,
    staleTime: 12 * 3600_000, // the key is served for a day at least; asked again twice a day
    refetchInterval: 12 * 3600_000,
    retry: false,
  });
  const [call, setCall] = useState<PhoneCall | null>(null);
  const dial = useCallback((to: string) => setCall({ to, state: "calling", sent: [] }), []);
  const send = useCallback(
    (digits: string, party?: string) =>
      setCall((c) => (c && c.state !== "ended" ? { ...c, sent: [...c.sent, digits] } : { to: party ?? "", state: "live", sent: [digits] })),
    [],
  );
  const value = useMemo(() => ({ enabled, dial, send }), [enabled, dial, send]);
  return (
    <WebphoneContext.Provider value={value}>
      {children}
      {enabled && <Phone access={access.data} error={access.error} call={call} onHangUp={() => setCall((c) => (c ? { ...c, state: "ended" } : c))} />}
    </WebphoneContext.Provider>
  );
}

function Phone({ access, error, call, onHangUp }: { access: Access | undefined; error: unknown; call: PhoneCall | null; onHangUp: () => void }) {
  const { t, i18n } = useTranslation();
  const widget = access?.widget;
  useEffect(() => {
    if (!access || widget !== "zadarma") return;
    let cancelled = false;
    void (async () => {
      for (const src of WIDGET_SCRIPTS) await loadScript(src);
      const fn = (window as WidgetWindow).zadarmaWidgetFn;
      if (!cancelled && fn) fn(access.key, access.extension, "square", i18n.language.slice(0, 2), true, { right: "10px", bottom: "5px" });
    })().catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [access, widget, i18n.language]);

  return (
    <aside className="webphone" aria-labelledby="webphone-title">
      <h2 id="webphone-title" className="webphone__title">
        {t("webphone.title")}
      </h2>
      {widget === "stand_in" && <p className="webphone__note">{t("webphone.standIn")}</p>}
      <div role="status" aria-live="polite" className="webphone__status">
        {!access && !error && t("webphone.loading")}
        {Boolean(error) && t("webphone.unavailable", { reason: isApiError(error) ? error.message : t("errors.unexpected") })}
        {access && !call && (access.phone === "webphone" ? t("webphone.ready", { extension: access.extension }) : t("webphone.outside"))}
        {call &&
          (call.state === "calling"
            ? t("webphone.dialling", { to: call.to })
            : call.state === "live"
              ? t("webphone.onCall", { who: call.to })
              : t("webphone.ended"))}
      </div>
      {call && call.sent.length > 0 && (
        <ul className="webphone__sent">
          {call.sent.map((digits, index) => (
            <li key={index}>{t("webphone.sent", { digits })}</li>
          ))}
        </ul>
      )}
      {call && call.state !== "ended" && (
        <button type="button" className="button" onClick={onHangUp}>
          {t("webphone.hangUp")}
        </button>
      )}
    </aside>
  );
}
