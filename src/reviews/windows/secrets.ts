/**
 * Secrets at rest (the upstream API key of an offered model): AES-256-GCM with a 12-byte random IV per value and the
 * window id as additional authenticated data, so a ciphertext copied onto another window does not decrypt.
 * The key comes from configuration (CLEARINGHOUSE_SECRETS_KEY, or a key file created with mode 0600 on first use).
 * Nothing here ever returns a secret to a caller other than the gateway's forwarding code.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

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

export class SecretBox {
  private key: Buffer | null;

  /** `load` is called once, on first use (so a server that never stores a secret never creates a key file). */
  constructor(private readonly load: () => Buffer) {
    this.key = null;
  }

  static fromConfig(config: Config): SecretBox {
    return new SecretBox(() => {
      if (config.secretsKey) return parseKey(config.secretsKey);
      const file = secretsKeyFile(config);
      if (!existsSync(file)) {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
      }
      return parseKey(readFileSync(file, 'utf8'));
    });
  }

  private k(): Buffer {
    this.key ??= this.load();
    return this.key;
  }

  encrypt(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const c = createCipheriv('aes-256-gcm', this.k(), iv);
    c.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');
  }

  decrypt(sealed: string, context: string): string {
    const raw = Buffer.from(sealed, 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new AppError('internal', 'a stored secret is damaged');
    const d = createDecipheriv('aes-256-gcm', this.k(), raw.subarray(0, IV_BYTES));
    d.setAAD(Buffer.from(context, 'utf8'));
    d.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([d.update(raw.subarray(IV_BYTES + TAG_BYTES)), d.final()]).toString('utf8');
    } catch {
      throw new AppError('internal', 'a stored secret cannot be decrypted with the configured key');
    }
  }
}
