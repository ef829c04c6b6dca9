import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { SecretBox } from './notify/secret-box.js';
import { loadSecretsKey, parseKey } from './secrets.js';

describe('the deployment secrets key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ch-secrets-'));
  const config = { ...loadConfig({}), databaseUrl: `sqlite:${join(dir, 'db.sqlite')}` };

  it('is created 0600 beside the SQLite file on first use and read back the same', () => {
    const a = loadSecretsKey(config);
    const file = join(dir, 'secrets.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadSecretsKey(config).equals(a)).toBe(true);
    expect(a.length).toBe(32);
  });

  it('encrypts webhook secrets at rest when no webhook key is configured', () => {
    const box = new SecretBox(() => loadSecretsKey(config));
    const sealed = box.seal('whsec_abc');
    expect(sealed.startsWith('v1:')).toBe(true);
    expect(sealed).not.toContain('whsec_abc');
    expect(box.open(sealed)).toBe('whsec_abc');
    // another key cannot open it
    const other = { ...config, secretsKey: Buffer.alloc(32, 7).toString('base64') };
    expect(() => new SecretBox(() => loadSecretsKey(other)).open(sealed)).toThrow();
  });

  it('refuses a key of the wrong size', () => {
    expect(() => parseKey('abcd')).toThrow(/32 bytes/);
  });
});
