/** Form building blocks: labelled fields with hints and the API's errors shown on the field. */
import {
  useEffect,
  useId,
  useRef,
  type InputHTMLAttributes,
  type ComponentProps,
  type ReactNode,
} from "react";
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

/** The label, hint and error around a select or textarea, wired as `Field` wires an input. */
function Framed({
  label,
  hint,
  error,
  id,
  control,
}: {
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  id: string;
  control: (aria: { id: string; "aria-invalid"?: true; "aria-describedby"?: string }) => ReactNode;
}) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(" ");
  return (
    <div className={error ? "field field--invalid" : "field"}>
      <label htmlFor={id}>{label}</label>
      {control({ id, ...(error ? { "aria-invalid": true } : {}), ...(describedBy ? { "aria-describedby": describedBy } : {}) })}
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

type SelectFieldProps = ComponentProps<"select"> & {
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  children: ReactNode;
};

/** A labelled select with its hint and the API's error on it. */
export function SelectField({ label, hint, error, id, children, ...select }: SelectFieldProps) {
  const generated = useId();
  return (
    <Framed
      label={label}
      hint={hint}
      error={error}
      id={id ?? generated}
      control={(aria) => (
        <select {...aria} {...select}>
          {children}
        </select>
      )}
    />
  );
}

type TextAreaFieldProps = ComponentProps<"textarea"> & {
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
};

/** A labelled textarea with its hint and the API's error on it. */
export function TextAreaField({ label, hint, error, id, ...area }: TextAreaFieldProps) {
  const generated = useId();
  return <Framed label={label} hint={hint} error={error} id={id ?? generated} control={(aria) => <textarea {...aria} {...area} />} />;
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
