/** A call's recording: GET /v1/calls/{id}/recording redirects to a short-lived link; the bytes
 * are fetched with the session's token (an <audio src> cannot send it) and played from a local
 * object URL. */
import { useMutation } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useApi } from "../../app/session";

export function Recording({ callId, label, playLabel }: { callId: string; label: string; playLabel: string }) {
  const { t } = useTranslation();
  const api = useApi();
  const [url, setUrl] = useState<string | null>(null);
  const load = useMutation({
    mutationFn: async () => {
      const blob = await unwrap(api.GET("/v1/calls/{call_id}/recording", { params: { path: { call_id: callId } }, parseAs: "blob" }));
      return URL.createObjectURL(blob as unknown as Blob);
    },
    onSuccess: setUrl,
  });
  useEffect(() => () => (url ? URL.revokeObjectURL(url) : undefined), [url]);
  if (url) {
    return (
      <audio controls autoPlay src={url} aria-label={label}>
        <track kind="captions" />
      </audio>
    );
  }
  return (
    <>
      <button type="button" className="button" disabled={load.isPending} aria-label={playLabel} onClick={() => load.mutate()}>
        {t("calls.recording.play")}
      </button>
      {load.isError && (
        <p role="alert" className="field__error">
          {isApiError(load.error) && load.error.code !== "network_error" ? load.error.message : t("errors.unexpected")}
        </p>
      )}
    </>
  );
}
