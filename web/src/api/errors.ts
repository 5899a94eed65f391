/** The API's error envelope, `{"error": {"code", "message", "field"?}}`, as a thrown error. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The request field the API names (a dotted path such as `admin.email`), if any. */
  readonly field: string | undefined;
  /** For `duplicate`: the record that already holds the value. */
  readonly existing: Record<string, unknown> | undefined;

  constructor(status: number, code: string, message: string, field?: string | null, existing?: Record<string, unknown> | null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field ?? undefined;
    this.existing = existing ?? undefined;
  }

  /** The API's envelope when the body is one; otherwise a generic error for the status. */
  static from(status: number, body: unknown): ApiError {
    const error = (body as { error?: unknown } | null)?.error;
    if (error && typeof error === "object") {
      const { code, message, field, existing } = error as Record<string, unknown>;
      if (typeof code === "string" && typeof message === "string") {
        return new ApiError(
          status,
          code,
          message,
          typeof field === "string" ? field : undefined,
          existing && typeof existing === "object" ? (existing as Record<string, unknown>) : undefined,
        );
      }
    }
    return new ApiError(status, status === 0 ? "network_error" : "http_error", `HTTP ${status}`);
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}
