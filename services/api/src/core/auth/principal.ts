export type Role = 'user' | 'admin';

/** Who is calling: the identity's `sub` (user id), a role, and how they proved it. */
export interface Principal {
  userId: string;
  role: Role;
  via: 'dev' | 'clerk' | 'oidc' | 'api-key';
  email?: string;
}

/** What a verified token says, before roles from configuration are applied. */
export interface VerifiedIdentity {
  userId: string;
  admin: boolean;
  email?: string;
}
