import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/app-config.ts';
import { DomainError } from '../errors/domain-error.ts';
import { RateLimiter } from '../http/rate-limiter.ts';
import { ApiKeyDirectory } from './api-key-directory.ts';
import { GroupMembershipSync } from './group-membership-sync.ts';
import { API_KEY_PREFIX } from './api-key-hash.ts';
import { ACCESS_KEY, type Access } from './auth.decorators.ts';
import type { AuthenticatedRequest } from './current-principal.decorator.ts';
import type { Principal } from './principal.ts';
import { SignInRecorder } from './sign-in-recorder.ts';
import { type TokenVerifier, tokenVerifierFor, unauthenticated } from './token-verifiers.ts';

/**
 * Every route is authenticated unless marked `@Public()`. Bearer tokens are, in order: an API key
 * (`cw_...`, any mode), else a token of the configured AUTH_MODE. Authenticated callers are then
 * rate-limited per user.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly verifier: TokenVerifier;
  private readonly admins: Set<string>;
  private readonly internalToken: Buffer;

  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    private readonly rateLimiter: RateLimiter,
    private readonly apiKeys: ApiKeyDirectory,
    private readonly signIns: SignInRecorder,
    private readonly groupMemberships: GroupMembershipSync,
  ) {
    this.verifier = tokenVerifierFor(config.env);
    this.admins = new Set(config.env.ADMIN_USER_IDS);
    this.internalToken = Buffer.from(config.env.INTERNAL_TOKEN);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const access =
      this.reflector.getAllAndOverride<Access | undefined>(ACCESS_KEY, [
        context.getHandler(),
        context.getClass(),
      ]) ?? 'user';
    if (access === 'public') return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearer(request.headers.authorization);
    if (access === 'internal') {
      if (!token || !this.isInternalToken(token))
        throw unauthenticated('Internal routes need Bearer $INTERNAL_TOKEN.');
      return true;
    }
    if (!token) throw unauthenticated('Send Authorization: Bearer <token> (a session token or an API key).');
    const principal = await this.authenticate(token);
    if (access === 'admin' && principal.role !== 'admin') {
      throw new DomainError('FORBIDDEN', 'This route is for administrators.');
    }
    const retryAfter = await this.rateLimiter.hit(principal.userId);
    if (retryAfter !== null) {
      throw new DomainError('RATE_LIMITED', `Too many requests; retry in ${retryAfter} s.`, [], {
        'Retry-After': String(retryAfter),
      });
    }
    request.principal = principal;
    // An admin's first request of a session is their sign-in (audit log).
    await this.signIns.noteAdminRequest(principal, token);
    // Team memberships the identity provider's groups grant, synced before the route resolves a team.
    if (principal.groups)
      await this.groupMemberships.noteRequest({ ...principal, groups: principal.groups }, token);
    return true;
  }

  private async authenticate(token: string): Promise<Principal> {
    if (token.startsWith(API_KEY_PREFIX)) {
      const owner = await this.apiKeys.ownerOf(token);
      if (owner === null) throw unauthenticated('The API key is unknown or revoked.');
      const { userId, teamId } = owner;
      return { userId, role: this.admins.has(userId) ? 'admin' : 'user', via: 'api-key', teamId };
    }
    const identity = await this.verifier.verify(token);
    return {
      userId: identity.userId,
      role: identity.admin || this.admins.has(identity.userId) ? 'admin' : 'user',
      via: this.config.env.AUTH_MODE,
      ...(identity.email ? { email: identity.email } : {}),
      ...(identity.groups ? { groups: identity.groups } : {}),
    };
  }

  private isInternalToken(token: string): boolean {
    const given = Buffer.from(token);
    return given.length === this.internalToken.length && timingSafeEqual(given, this.internalToken);
  }
}

function bearer(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}
