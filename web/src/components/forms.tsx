/** Form building blocks: labelled fields with hints and the API's errors shown on the field. */
import { useEffect, useId, useRef, type InputHTMLAttributes, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { isApiError } from "../api/errors";

type FieldProps = InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  name: string;
  hint?: string | undefined;
  error?: string | undefined;
};

export function Field({ label, name, hint, error, id, ...input }: FieldProps) {
  const generated = useId();
  const inputId = id ?? generated;
  const hintId = hint ? `${inputId}-hint` : undefined;
  const errorId = error ? `${inputId}-error` : undefined;
  return (
    <div className={error ? "field field--invalid" : "field"}>
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={[errorId, hintId].filter(Boolean).join(" ") || undefined}
        {...input}
      />
      {hint && (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field__error">
          {error}
        </p>
      )}
    </div>
  );
}

export interface FormErrors {
  /** The message for this field when the API named it. */
  field(name: string): string | undefined;
  /** The message for the form as a whole: an error naming no field of this form. */
  form: string | undefined;
}

/** Split a mutation's error into the field the API names and a message for the whole form. */
export function useFormErrors(error: unknown, fields: readonly string[]): FormErrors {
  const { t } = useTranslation();
  if (!error) return { field: () => undefined, form: undefined };
  if (!isApiError(error)) return { field: () => undefined, form: t("errors.unexpected") };
  if (error.code === "network_error") return { field: () => undefined, form: t("errors.network") };
  const named = error.field && fields.includes(error.field) ? error.field : undefined;
  // Validation messages start with the field path ("admin.email: ..."): the field shows it already.
  const message = named ? error.message.replace(new RegExp(`^${escape(named)}: `), "") : error.message;
  return {
    field: (name) => (name === named ? message : undefined),
    form: named ? undefined : message,
  };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A form that moves focus to the first invalid field (or its alert) when an error arrives. */
export function Form({
  error,
  label,
  onSubmit,
  children,
}: {
  error: unknown;
  label: string;
  onSubmit: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (!error) return;
    const target = ref.current?.querySelector<HTMLElement>("[aria-invalid=true], .form-error");
    target?.focus();
  }, [error]);
  return (
    <form
      ref={ref}
      aria-label={label}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      {children}
    </form>
  );
}

export function FormError({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <div className="form-error" role="alert" tabIndex={-1}>
      {message}
    </div>
  );
}
