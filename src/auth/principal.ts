// Who is calling, and for whom they may act. In open mode (no keys configured) anyone acts for any
// user id they name; a user key acts only for its user; the admin key for anyone. Naming another
// user with a user key is answered like a missing resource: 404.
import { notFound } from "../errors.ts";

export type Principal = { kind: "open" } | { kind: "user"; userId: string } | { kind: "admin" };

/** The user a request acts for: the key's user, or the one it names (null: none named). */
export function actingUser(principal: Principal, requested: string | null | undefined): string | null {
  if (principal.kind !== "user") return requested ?? null;
  if (requested && requested !== principal.userId) throw notFound(`No user found with id '${requested}'.`, "user_not_found");
  return principal.userId;
}

/** Whose resources the caller may touch: one user's, or (null) anyone's. */
export const ownerScope = (p: Principal): string | null => (p.kind === "user" ? p.userId : null);
