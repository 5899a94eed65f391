/**
 * Click-to-call (TE-5): a phone number (or a colleague's extension) as a button that asks the
 * PBX, through POST /v1/calls, to ring the user's own extension and then the number; in web
 * phone mode (TE-7) the answer says so and the web phone dials instead. Used by the call log,
 * the colleagues list and the contact card. `disabled` with `describedBy` (the id of the text
 * saying why) keeps it visible but unusable, e.g. a colleague's extension without one's own.
 */
import { useMutation } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { unwrap } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useApi } from "../../app/session";
import { useWebphone } from "../webphone/WebPhone";
import "./calls.css";

export function ClickToCall({
  phone,
  contactId,
  label,
  disabled = false,
  describedBy,
  children,
}: {
  /** A number (E.164) or a colleague's extension. */
  phone: string;
  contactId?: string | undefined;
  /** The accessible name; default "Call <phone>". */
  label?: string | undefined;
  disabled?: boolean;
  /** The id of the element saying why the call is not offered (with `disabled`). */
  describedBy?: string | undefined;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const webphone = useWebphone();
  const dial = useMutation({
    mutationFn: () => unwrap(api.POST("/v1/calls", { body: { to: phone, ...(contactId ? { contact_id: contactId } : {}) } })),
    // TE-7: in web phone mode the PBX was not asked; the web phone dials.
    onSuccess: (data) => {
      if (data.via === "webphone") webphone.dial(data.to);
    },
  });
  return (
    <span className="click-to-call">
      <button
        type="button"
        className="click-to-call__button"
        aria-label={label ?? t("calls.dial.call", { phone })}
        disabled={disabled || dial.isPending}
        aria-describedby={describedBy}
        onClick={() => dial.mutate()}
      >
        <span aria-hidden="true" className="click-to-call__icon">
          ☎
        </span>{" "}
        {children ?? phone}
      </button>
      {dial.isSuccess && (
        <span role="status" className="click-to-call__note">
          {dial.data.via === "webphone"
            ? t("webphone.dialled", { to: dial.data.to })
            : t("calls.dial.calling", { extension: dial.data.extension, to: dial.data.to })}
        </span>
      )}
      {dial.isError && (
        <span role="alert" className="click-to-call__note field__error">
          {isApiError(dial.error) && dial.error.code !== "network_error" ? dial.error.message : t("errors.unexpected")}
        </span>
      )}
    </span>
  );
}
