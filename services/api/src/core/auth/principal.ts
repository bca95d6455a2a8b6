export type Role = 'user' | 'admin';

/** Who is calling: the identity's `sub` (user id), a role, and how they proved it. */
export interface Principal {
  userId: string;
  role: Role;
  via: 'dev' | 'clerk' | 'oidc' | 'api-key';
  email?: string;
  /** An API key acts for one team only (set for `api-key`). */
  teamId?: string;
  /** The identity provider's group/organization claim, when SSO_GROUPS_CLAIM is configured (membership sync). */
  groups?: string[];
}

/** What a verified token says, before roles from configuration are applied. */
export interface VerifiedIdentity {
  userId: string;
  admin: boolean;
  email?: string;
  /** The groups claim's values (sorted, unique) when SSO_GROUPS_CLAIM is set; [] when the token has none. */
  groups?: string[];
}
