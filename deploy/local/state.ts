import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Secrets the local stack generates once and keeps, so that a restart finds its own data. */
export interface LocalSecrets {
  internalToken: string;
  postgresPassword: string;
}

export function ensureDir(path: string, mode = 0o755): string {
  mkdirSync(path, { recursive: true, mode });
  return path;
}

export function loadSecrets(stateDir: string): LocalSecrets {
  const file = join(stateDir, 'secrets.json');
  if (existsSync(file)) {
    return JSON.parse(readFileSync(file, 'utf8')) as LocalSecrets;
  }
  const secrets: LocalSecrets = {
    internalToken: randomBytes(24).toString('base64url'),
    postgresPassword: randomBytes(18).toString('base64url'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
