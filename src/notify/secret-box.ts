/**
 * Webhook signing secrets at rest, encrypted with AES-256-GCM under a key derived (HKDF-SHA-256) from
 * CLEARINGHOUSE_WEBHOOK_SECRET_KEY, else from the deployment's secrets key (src/secrets.ts: configuration or the 0600
 * key file), stored as `v1:<iv>:<tag>:<ciphertext>` (base64url). A box made without key material stores
 * `plain:<secret>` (tests only; the module always gives it one); either way the API never returns a stored secret.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export class SecretBox {
  private derived: Buffer | null | undefined;

  /** Key material, or a function giving it on first use (so a server without webhooks never creates a key file). */
  constructor(private readonly keyMaterial: string | Buffer | (() => string | Buffer) | undefined) {}

  private get key(): Buffer | null {
    if (this.derived === undefined) {
      const m = typeof this.keyMaterial === 'function' ? this.keyMaterial() : this.keyMaterial;
      this.derived = m ? Buffer.from(hkdfSync('sha256', m, 'clearinghouse', 'webhook-secrets', 32)) : null;
    }
    return this.derived;
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
