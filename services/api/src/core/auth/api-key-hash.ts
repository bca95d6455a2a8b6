import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'cw_';

/** A new key: 32 random bytes, so a plain SHA-256 is a safe at-rest hash (no need for a slow KDF). */
export function generateApiKey(): { key: string; hash: string; prefix: string } {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: key.slice(0, 10) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
