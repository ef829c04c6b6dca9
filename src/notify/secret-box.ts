/**
 * Webhook signing secrets at rest. With CLEARINGHOUSE_WEBHOOK_SECRET_KEY set they are encrypted with AES-256-GCM under
 * a key derived from it (HKDF-SHA-256), stored as `v1:<iv>:<tag>:<ciphertext>` (base64url). Without a key they are
 * stored as `plain:<secret>`; either way the API never returns a stored secret.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export class SecretBox {
  private readonly key: Buffer | null;

  constructor(keyMaterial: string | undefined) {
    this.key = keyMaterial
      ? Buffer.from(hkdfSync('sha256', keyMaterial, 'clearinghouse', 'webhook-secrets', 32))
      : null;
  }

  get encrypts(): boolean {
    return this.key !== null;
  }

  seal(secret: string): string {
    if (!this.key) return `plain:${secret}`;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `v1:${iv.toString('base64url')}:${tag.toString('base64url')}:${ct.toString('base64url')}`;
  }

  open(stored: string): string {
    if (stored.startsWith('plain:')) return stored.slice('plain:'.length);
    const [version, iv, tag, ct] = stored.split(':');
    if (version !== 'v1' || !iv || !tag || !ct) throw new Error('unknown secret format');
    if (!this.key) throw new Error('the webhook secret is encrypted but CLEARINGHOUSE_WEBHOOK_SECRET_KEY is not set');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/** A new signing secret: `whsec_` and 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}
