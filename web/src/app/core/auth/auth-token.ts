/**
 * The one place that knows how the local stack's dev sign-in spells a bearer token
 * (`AUTH_MODE=dev` on the API): `dev:<userId>`, or `dev:<userId>:admin` for an administrator.
 */
export function devToken(userId: string, admin = false): string {
  const id = userId.trim();
  if (!DEV_USER_ID.test(id)) throw new Error(DEV_USER_ID_RULE);
  return admin ? `dev:${id}:admin` : `dev:${id}`;
}

export const DEV_USER_ID = /^[A-Za-z0-9._@-]{1,64}$/;
export const DEV_USER_ID_RULE =
  'Use 1 to 64 letters, digits, dots, dashes, underscores or @ for the user id.';

export function bearer(token: string): string {
  return `Bearer ${token}`;
}
