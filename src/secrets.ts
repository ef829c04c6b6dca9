/**
 * The deployment's key for secrets at rest (review endpoint secrets, webhook signing secrets): CLEARINGHOUSE_SECRETS_KEY,
 * or a key file created with mode 0600 on first use (CLEARINGHOUSE_SECRETS_KEY_FILE, else beside the SQLite file, else
 * ./data/secrets.key). Every node of a deployment must share it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Config } from './config.js';

/** Parse a key given as 64 hex digits or base64 of 32 bytes. */
export function parseKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) throw new Error('the secrets key must be 32 bytes (64 hex digits or base64)');
  return key;
}

/** Where the key file lives: CLEARINGHOUSE_SECRETS_KEY_FILE, else beside the SQLite file, else ./data/secrets.key. */
export function secretsKeyFile(config: Config): string {
  if (config.secretsKeyFile) return resolve(config.secretsKeyFile);
  const url = config.databaseUrl;
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    if (file && file !== ':memory:') return join(dirname(resolve(file)), 'secrets.key');
  }
  return resolve('data', 'secrets.key');
}

/** The key from configuration, else from the key file (created on first use). Call it lazily, when a secret is stored. */
export function loadSecretsKey(config: Config): Buffer {
  if (config.secretsKey) return parseKey(config.secretsKey);
  const file = secretsKeyFile(config);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    try {
      writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      // another process created it first: read theirs
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return parseKey(readFileSync(file, 'utf8'));
}
