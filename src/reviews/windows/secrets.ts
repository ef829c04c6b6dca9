/**
 * Secrets at rest (the upstream API key of an offered model): AES-256-GCM with a 12-byte random IV per value and the
 * window id as additional authenticated data, so a ciphertext copied onto another window does not decrypt.
 * The key comes from configuration (CLEARINGHOUSE_SECRETS_KEY, or a key file created with mode 0600 on first use).
 * Nothing here ever returns a secret to a caller other than the gateway's forwarding code.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { loadSecretsKey } from '../../secrets.js';

export { parseKey, secretsKeyFile } from '../../secrets.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBox {
  private key: Buffer | null;

  /** `load` is called once, on first use (so a server that never stores a secret never creates a key file). */
  constructor(private readonly load: () => Buffer) {
    this.key = null;
  }

  static fromConfig(config: Config): SecretBox {
    return new SecretBox(() => loadSecretsKey(config));
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
