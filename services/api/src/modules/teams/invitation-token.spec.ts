import { describe, expect, it } from 'vitest';
import { hashInvitationToken, invitationStatus, newInvitationToken } from './invitation-token.ts';

describe('invitation tokens', () => {
  it('should make a 32-byte base64url token whose SHA-256 is what is stored', () => {
    const { token, tokenHash } = newInvitationToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(tokenHash).toBe(hashInvitationToken(token));
    expect(tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(newInvitationToken().token).not.toBe(token);
  });

  it('should say revoked or accepted for an ended invitation, whatever its expiry, and expired only when pending', () => {
    const now = new Date('2026-12-07T12:00:00Z');
    const past = new Date('2026-12-01T00:00:00Z');
    const future = new Date('2026-12-14T00:00:00Z');
    expect(invitationStatus({ revokedAt: null, acceptedAt: null, expiresAt: future }, now)).toBe('pending');
    expect(invitationStatus({ revokedAt: null, acceptedAt: null, expiresAt: now }, now)).toBe('expired');
    expect(invitationStatus({ revokedAt: past, acceptedAt: null, expiresAt: past }, now)).toBe('revoked');
    expect(invitationStatus({ revokedAt: null, acceptedAt: past, expiresAt: past }, now)).toBe('accepted');
  });
});
