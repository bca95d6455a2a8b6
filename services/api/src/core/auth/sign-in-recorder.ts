import type { Principal } from './principal.ts';

/**
 * Told of every authenticated request, so that an admin's first request of a session is noted
 * as their sign-in. The audit module provides it: authentication does not depend on auditing.
 */
export abstract class SignInRecorder {
  abstract noteAdminRequest(principal: Principal, token: string): Promise<void>;
}
