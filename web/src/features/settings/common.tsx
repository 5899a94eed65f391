/** Building blocks of the settings screens: the section frame, selects with field errors, saving state. */
import { useMemo, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { isApiError } from "../../api/errors";
import { useRights } from "../../app/rights";
import { SelectField } from "../../components/forms";

// The labelled select is the shared one (components/forms.tsx).
export { SelectField };

function zones(): string[] {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return ["UTC", "Europe/Paris", "Europe/London", "America/New_York"];
  }
}

/** IANA time zones the browser knows, plus the current value if it does not. */
export function TimezoneSelect({
  label,
  value,
  onChange,
  error,
  hint,
}: {
  label: string;
  value: string;
  onChange: (zone: string) => void;
  error?: string | undefined;
  hint?: string | undefined;
}) {
  const all = useMemo(() => {
    const list = zones();
    return value && !list.includes(value) ? [value, ...list] : list;
  }, [value]);
  return (
    <SelectField label={label} value={value} hint={hint} error={error} onChange={(e) => onChange(e.target.value)}>
      {!value && <option value="">—</option>}
      {all.map((zone) => (
        <option key={zone} value={zone}>
          {zone}
        </option>
      ))}
    </SelectField>
  );
}

/** "Saved." after a successful save, cleared by the next change. */
export function useSavedFlag() {
  const [saved, setSaved] = useState(false);
  return { saved, show: () => setSaved(true), hide: () => setSaved(false) };
}

export function SavedStatus({ saved }: { saved: boolean }) {
  const { t } = useTranslation();
  return (
    <p role="status" className="settings__saved">
      {saved ? t("settings.saved") : ""}
    </p>
  );
}

/** A stale `version` (409 conflict) reads better as a sentence than as the API's message. */
export function isConflict(error: unknown): boolean {
  return isApiError(error) && error.code === "conflict" && !error.field;
}

/** Admin-only screens: not offered to others (the API would answer 403). */
export function AdminOnly({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const rights = useRights();
  if (!rights.loaded) {
    return (
      <p role="status" className="loading">
        {t("app.loading")}
      </p>
    );
  }
  if (!rights.isAdmin) return <p className="notice">{t("settings.adminOnly")}</p>;
  return <>{children}</>;
}
