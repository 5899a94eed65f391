/** The API's 409s as the contacts screens explain them. */
import { isApiError } from "../../api/errors";

/** A PATCH with a stale `version`: someone else saved the record in between. */
export function isStaleVersion(error: unknown): boolean {
  return isApiError(error) && error.status === 409 && error.code === "conflict";
}

/** A take that lost the race (409 on POST /v1/leads/{id}/take). */
export function isAlreadyTaken(error: unknown): boolean {
  return isApiError(error) && error.status === 409;
}

/**
 * Who won a lost race for a lead, from the lead as read again afterwards: the responsible
 * user's name when the caller may see it, else undefined ("someone else"). A lead read back
 * still in the pool (taken and put back) names nobody either.
 */
export function winnerName(
  lead: { responsible_user_id?: string | null } | undefined,
  nameOf: (id: string) => string | undefined,
  me?: string,
): string | undefined {
  const id = lead?.responsible_user_id;
  if (!id || id === me) return undefined;
  return nameOf(id);
}
