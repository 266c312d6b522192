/** An error answered by the API (`{"error": {"code", "message", "fields"?}}`) or a network failure. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields?: Record<string, string[]>;

  constructor(status: number, code: string, message: string, fields?: Record<string, string[]>) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

interface ErrorShape {
  error?: { code?: unknown; message?: unknown; fields?: unknown };
}

/** Builds an ApiError from a failed response and its (already parsed) body. */
export function apiErrorFrom(status: number, body: unknown): ApiError {
  const e = (body as ErrorShape | null | undefined)?.error;
  const message =
    typeof e?.message === 'string' && e.message
      ? e.message
      : status === 401
        ? 'Your session has expired. Please log in again.'
        : status === 503
          ? 'The service is temporarily unavailable. Please try again in a moment.'
          : `Request failed (HTTP ${status}).`;
  const code = typeof e?.code === 'string' ? e.code : `http_${status}`;
  const fields = e?.fields && typeof e.fields === 'object' ? (e.fields as Record<string, string[]>) : undefined;
  return new ApiError(status, code, message, fields);
}

/** The sentence to show a person for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof TypeError) return 'Could not reach the server. Check your connection and try again.';
  if (err instanceof Error && err.message) return err.message;
  return 'Something went wrong.';
}

/** The first problem reported for a field on a 422, if any. */
export function fieldError(err: unknown, field: string): string | undefined {
  if (err instanceof ApiError && err.fields?.[field]?.length) return err.fields[field][0];
  return undefined;
}
