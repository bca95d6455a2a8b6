import { z } from 'zod';
import { zodDto } from '../../core/http/zod-dto.ts';

const teamId = z.uuid({ error: 'id must be a team id (a UUID)' });
const userId = z.string().min(1).max(128, { error: 'userId is at most 128 characters' });

export class TeamIdParams extends zodDto(z.strictObject({ id: teamId })) {}
export class TeamMemberParams extends zodDto(z.strictObject({ id: teamId, userId })) {}
export class TeamInvitationParams extends zodDto(
  z.strictObject({ id: teamId, invitationId: z.uuid({ error: 'invitationId must be a UUID' }) }),
) {}
/** A link's token: 32 random bytes in base64url; anything else cannot be one. */
export class InvitationTokenParams extends zodDto(
  z.strictObject({
    token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, { error: 'token is not an invitation token' }),
  }),
) {}
