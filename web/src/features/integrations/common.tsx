/** Building blocks of the integrations screens: a modal dialog, a copy button, dates. */
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

/** A modal dialog (the native <dialog>: focus trapped, Escape closes). */
export function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal?.();
  }, []);
  return (
    <dialog
      ref={ref}
      className="integrations-dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}

/** A button copying `value` to the clipboard, with its outcome announced. */
export function CopyButton({ value, label }: { value: string; label: string }) {
  const { t } = useTranslation();
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  return (
    <span className="integrations-copy">
      <button
        type="button"
        className="button"
        onClick={() => {
          const clipboard = navigator.clipboard as Clipboard | undefined;
          if (!clipboard) {
            setState("failed");
            return;
          }
          clipboard.writeText(value).then(
            () => setState("copied"),
            () => setState("failed"),
          );
        }}
      >
        {label}
      </button>
      <span role="status">{state === "copied" ? t("integrations.copied") : state === "failed" ? t("integrations.copyFailed") : ""}</span>
    </span>
  );
}

/** A read-only, labelled block of code that can be selected and copied. */
export function CodeBlock({ label, code, copyLabel }: { label: string; code: string; copyLabel: string }) {
  const id = useId();
  return (
    <div className="integrations-code">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} readOnly value={code} rows={Math.min(20, code.split("\n").length + 1)} spellCheck={false}
        onFocus={(e) => e.target.select()} />
      <CopyButton value={code} label={copyLabel} />
    </div>
  );
}

/** A date and time in the interface's language, or "Never". */
export function useDateTime() {
  const { t, i18n } = useTranslation();
  const format = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short" });
  return (value: string | null | undefined) => (value ? format.format(new Date(value)) : t("integrations.never"));
}
