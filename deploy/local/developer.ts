// The person running `npm run up`: one dev sign-in id that the portal, the API and the local
// Kubernetes namespace agree on, so a VideoJob applied with kubectl shows up in their portal.

/** The dev sign-in's rule for user ids (services/api/src/core/auth/token-verifiers.ts). */
const DEV_USER_ID = /^[A-Za-z0-9_.@-]{1,128}$/;

export interface LocalDeveloper {
  userId: string;
  /** The namespace kubectl applies to, bound to `userId`'s personal team. */
  namespace: string;
}

export function localDeveloper(chosen = process.env.CINEWEAVE_LOCAL_USER): LocalDeveloper {
  const userId = chosen || 'developer';
  if (!DEV_USER_ID.test(userId)) {
    throw new Error(
      `CINEWEAVE_LOCAL_USER=${JSON.stringify(userId)} is not a dev sign-in id: use 1-128 letters, digits, _ . @ or -.`,
    );
  }
  return { userId, namespace: 'local' };
}

/**
 * Creates the developer's user and free account, as their first sign-in would, so the operator can
 * submit VideoJobs for them before they ever open the portal. Idempotent. Answers the id of their
 * personal team, which the local namespace is bound to.
 */
export async function ensureAccount(apiUrl: string, userId: string): Promise<string> {
  const headers = { Authorization: `Bearer dev:${userId}` };
  const response = await fetch(`${apiUrl}/v1/users/init`, { method: 'POST', headers });
  if (!response.ok) {
    throw new Error(
      `Could not create the account of ${userId}: HTTP ${response.status} ${await response.text()}`,
    );
  }
  const me = await fetch(`${apiUrl}/v1/me`, { headers });
  if (!me.ok) throw new Error(`Could not read the team of ${userId}: HTTP ${me.status} ${await me.text()}`);
  const { team } = (await me.json()) as { team: { id: string } };
  return team.id;
}
