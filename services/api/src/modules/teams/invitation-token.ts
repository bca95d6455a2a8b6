import type { InvitationStatus } from '@cineweave/contracts';
import { createHash, randomBytes } from 'node:crypto';

/** A new link secret: 32 random bytes, base64url (43 characters). Shown once; only its hash is kept. */
export function newInvitationToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: hashInvitationToken(token) };
}

/** SHA-256 (hex) of a link's token: what `team_invitations.token_hash` holds and lookups use. */
export function hashInvitationToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** An invitation's state: an ended one (revoked, accepted) stays so; a pending one expires with time. */
export function invitationStatus(
  invitation: { revokedAt: Date | null; acceptedAt: Date | null; expiresAt: Date },
  now: Date = new Date(),
): InvitationStatus {
  if (invitation.revokedAt) return 'revoked';
  if (invitation.acceptedAt) return 'accepted';
  return invitation.expiresAt <= now ? 'expired' : 'pending';
}
