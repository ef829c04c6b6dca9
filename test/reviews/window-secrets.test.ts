/** AES-256-GCM for stored endpoint secrets: round trip, bound to its window, tamper-evident, key from configuration. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { parseKey, SecretBox, secretsKeyFile } from '../../src/reviews/windows/secrets.js';

const box = (key = randomBytes(32)) => new SecretBox(() => key);

describe('SecretBox', () => {
  it('round-trips, and each sealing differs (random IV); the plaintext is not in the sealed text', () => {
    const b = box();
    const a1 = b.encrypt('sk-live-abc', 'w1');
    const a2 = b.encrypt('sk-live-abc', 'w1');
    expect(a1).not.toBe(a2);
    expect(Buffer.from(a1, 'base64').toString('latin1')).not.toContain('sk-live-abc');
    expect(b.decrypt(a1, 'w1')).toBe('sk-live-abc');
    expect(b.decrypt(a2, 'w1')).toBe('sk-live-abc');
  });

  it('refuses another window id, another key, and any flipped byte', () => {
    const key = randomBytes(32);
    const sealed = box(key).encrypt('sk-live-abc', 'w1');
    expect(() => box(key).decrypt(sealed, 'w2')).toThrow(/cannot be decrypted/);
    expect(() => box().decrypt(sealed, 'w1')).toThrow(/cannot be decrypted/);
    const raw = Buffer.from(sealed, 'base64');
    for (const i of [0, 13, raw.length - 1]) {
      const bad = Buffer.from(raw);
      bad[i]! ^= 1;
      expect(() => box(key).decrypt(bad.toString('base64'), 'w1')).toThrow();
    }
    expect(() => box(key).decrypt('AAAA', 'w1')).toThrow(/damaged/);
  });

  it('reads a key as hex or base64 and refuses other lengths', () => {
    const k = randomBytes(32);
    expect(parseKey(k.toString('hex')).equals(k)).toBe(true);
    expect(parseKey(k.toString('base64')).equals(k)).toBe(true);
    expect(() => parseKey(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
    expect(() => loadConfig({ CLEARINGHOUSE_SECRETS_KEY: 'short' })).toThrow(/CLEARINGHOUSE_SECRETS_KEY/);
  });

  it('without a configured key: a 0600 key file beside the SQLite file, created on first use only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ch-secrets-'));
    try {
      const config = loadConfig({ CLEARINGHOUSE_DATABASE_URL: `sqlite:${join(dir, 'ch.db')}` });
      const file = secretsKeyFile(config);
      expect(file).toBe(join(dir, 'secrets.key'));
      const b = SecretBox.fromConfig(config);
      expect(existsSync(file)).toBe(false);
      const sealed = b.encrypt('sk-x', 'w');
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      // Another process with the same configuration reads the same key.
      expect(SecretBox.fromConfig(config).decrypt(sealed, 'w')).toBe('sk-x');
      expect(parseKey(readFileSync(file, 'utf8')).length).toBe(32);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
