/** A message textarea with its length and SMS parts (an estimate; the provider counts on sending). */
import { useId } from "react";
import { useTranslation } from "react-i18next";

import { smsParts } from "./parts";

export const MAX_TEXT = 1000;

export function SmsText({
  label,
  value,
  onChange,
  error,
  hint,
  required,
}: {
  label: string;
  value: string;
  onChange: (text: string) => void;
  error?: string | undefined;
  hint?: string | undefined;
  required?: boolean;
}) {
  const { t } = useTranslation();
  const id = useId();
  const counted = smsParts(value);
  const describedBy = [error && `${id}-error`, `${id}-count`, hint && `${id}-hint`].filter(Boolean).join(" ");
  return (
    <div className={error ? "field field--invalid" : "field"}>
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        name="text"
        rows={4}
        value={value}
        maxLength={MAX_TEXT}
        required={required}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
      />
      <p id={`${id}-count`} className="field__hint sms-count">
        {t("sms.count", {
          count: counted.parts,
          length: value.length,
          max: MAX_TEXT,
          encoding: t(`sms.encoding.${counted.encoding}`),
          remaining: counted.remaining,
        })}
      </p>
      {hint && (
        <p id={`${id}-hint`} className="field__hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field__error">
          {error}
        </p>
      )}
    </div>
  );
}
