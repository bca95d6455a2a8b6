/**
 * The person's groups from a verified token's claims, for SSO team membership (SSO_GROUPS_CLAIM).
 * Only the one configured claim is read, never a path into other claims, so a token cannot steer
 * which of its fields counts as groups.
 */

/** SSO_GROUPS_CLAIM's keyword for Clerk's organization claim (v2 `o`, v1 `org_id`/`org_slug`/`org_role`). */
export const CLERK_ORGANIZATION_CLAIM = 'organization';

/** More than any directory sends for one person; past it the rest is ignored rather than stored per request. */
const MAX_GROUPS = 500;
const MAX_GROUP_LENGTH = 256;

/**
 * A claim's values as IdPs send them: an array of strings (Keycloak, Okta, Entra ID), or one
 * string of names separated by spaces or commas (some SAML bridges and custom claims). Absent or
 * of another shape: no groups, so a token without the claim removes SSO memberships, the safe way.
 */
export function groupValues(claim: unknown): string[] {
  const items =
    typeof claim === 'string'
      ? claim.split(/[\s,]+/)
      : Array.isArray(claim)
        ? claim.filter((item): item is string => typeof item === 'string')
        : [];
  const groups = new Set<string>();
  for (const item of items) {
    const group = item.trim();
    if (group.length > 0 && group.length <= MAX_GROUP_LENGTH) groups.add(group);
    if (groups.size >= MAX_GROUPS) break;
  }
  return [...groups].sort();
}

/** Clerk names organization roles `org:admin` in v1 tokens and `admin` in v2: one spelling for mappings. */
const clerkRole = (role: unknown) => (typeof role === 'string' ? role.replace(/^org:/, '') : null);

/**
 * The active organization of a Clerk session token as groups: its id and its slug, each also
 * with the person's role in it (`acme:admin`), so a mapping can grant a team to the whole
 * organization or only to its admins. Clerk carries only the active organization.
 */
export function clerkOrganizationGroups(payload: Record<string, unknown>): string[] {
  const v2 = payload.o;
  const organization =
    typeof v2 === 'object' && v2 !== null
      ? (v2 as { id?: unknown; slg?: unknown; rol?: unknown })
      : { id: payload.org_id, slg: payload.org_slug, rol: payload.org_role };
  const names = [organization.id, organization.slg].filter(
    (name): name is string => typeof name === 'string' && name.length > 0,
  );
  const role = clerkRole(organization.rol);
  return groupValues(names.flatMap((name) => (role ? [name, `${name}:${role}`] : [name])));
}

/** The groups `claimName` names in `payload`. */
export function groupsFrom(payload: Record<string, unknown>, claimName: string, clerk: boolean): string[] {
  if (clerk && claimName === CLERK_ORGANIZATION_CLAIM) return clerkOrganizationGroups(payload);
  return groupValues(Object.hasOwn(payload, claimName) ? payload[claimName] : undefined);
}
