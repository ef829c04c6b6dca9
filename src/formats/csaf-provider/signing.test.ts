/**
 * The CSAF provider's signing key and signatures, without a server: the generated key (0600, beside the secrets key,
 * made once and then reused), a configured encrypted key and the errors for a bad one, and the signature store (one
 * signature per document version, a new one when the bytes change).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey } from 'openpgp';
import { describe, expect, it } from 'vitest';
import { type Config, ConfigError, loadConfig } from '../../config.js';
import { GENERATED_KEY_NAME, loadOpenpgpKey, ProviderSigner } from './signing.js';
import { verifiesDetached } from './testing/openpgp.js';

/** GnuPG, when the machine has it: a second, independent OpenPGP implementation to check our signatures with. */
const hasGpg = spawnSync('gpg', ['--version']).status === 0;

const dir = () => mkdtempSync(join(tmpdir(), 'csaf-openpgp-'));
const config = (over: Partial<Config>): Config => ({ ...loadConfig({}), ...over });

describe('CSAF provider signing key', () => {
  it('is generated once beside the secrets key file (mode 0600) and the same key is read after that', async () => {
    const d = dir();
    const c = config({ secretsKeyFile: join(d, 'secrets.key') });
    const first = await loadOpenpgpKey(c);
    const file = join(d, GENERATED_KEY_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain('BEGIN PGP PRIVATE KEY BLOCK');
    const again = await loadOpenpgpKey(c);
    expect(again.getFingerprint()).toBe(first.getFingerprint());
    // another deployment (another secrets key folder) gets its own key
    const other = await loadOpenpgpKey(config({ secretsKeyFile: join(dir(), 'secrets.key') }));
    expect(other.getFingerprint()).not.toBe(first.getFingerprint());
  });

  it('a configured, passphrase-protected key is used; a wrong, missing or stray passphrase is a clear error', async () => {
    const d = dir();
    const { privateKey } = await generateKey({
      userIDs: [{ name: 'Operator CSAF key' }],
      passphrase: 'correct horse battery staple',
      format: 'object',
    });
    const file = join(d, 'operator.asc');
    writeFileSync(file, privateKey.armor());
    const c = config({ csafOpenpgpKeyFile: file, csafOpenpgpPassphrase: 'correct horse battery staple' });
    expect((await loadOpenpgpKey(c)).getFingerprint()).toBe(privateKey.getFingerprint());
    await expect(loadOpenpgpKey({ ...c, csafOpenpgpPassphrase: 'wrong' })).rejects.toThrow(/cannot decrypt/);
    // a configuration error: `clearinghouse serve` prints the message and exits 2, no stack trace
    await expect(loadOpenpgpKey({ ...c, csafOpenpgpPassphrase: 'wrong' })).rejects.toBeInstanceOf(ConfigError);
    await expect(loadOpenpgpKey({ ...c, csafOpenpgpPassphrase: undefined })).rejects.toThrow(
      /CLEARINGHOUSE_CSAF_OPENPGP_PASSPHRASE/,
    );
    await expect(loadOpenpgpKey({ ...c, csafOpenpgpKeyFile: join(d, 'absent.asc') })).rejects.toThrow(
      /CLEARINGHOUSE_CSAF_OPENPGP_KEY_FILE .*absent\.asc/,
    );
    writeFileSync(join(d, 'public.asc'), privateKey.toPublic().armor());
    await expect(loadOpenpgpKey({ ...c, csafOpenpgpKeyFile: join(d, 'public.asc') })).rejects.toThrow(
      /not an armored OpenPGP private key/,
    );
    expect(() => loadConfig({ CLEARINGHOUSE_CSAF_OPENPGP_PASSPHRASE: 'x' })).toThrow(ConfigError);
    expect(loadConfig({ CLEARINGHOUSE_CSAF_OPENPGP_KEY_FILE: file }).csafOpenpgpKeyFile).toBe(file);
  });
});

describe('CSAF provider signatures', () => {
  const c = config({ secretsKeyFile: join(dir(), 'secrets.key') });

  it('sign the exact bytes: the public key verifies them, and not one changed byte', async () => {
    const signer = new ProviderSigner(() => loadOpenpgpKey(c));
    const { armored, fingerprint } = await signer.publicKey();
    expect(fingerprint).toMatch(/^[0-9A-F]{40}$/);
    const bytes = '{"document":{"title":"Ünïcode title"}}';
    const asc = await signer.signature('CH-2026-0001', '1', bytes);
    expect(asc).toMatch(/^-----BEGIN PGP SIGNATURE-----/);
    expect(await verifiesDetached(bytes, asc, armored)).toBe(true);
    expect(await verifiesDetached(bytes.replace('title', 'titlf'), asc, armored)).toBe(false);
  });

  it('are kept per (tracking id, version) and made again when the bytes change', async () => {
    let loads = 0;
    const signer = new ProviderSigner(() => {
      loads++;
      return loadOpenpgpKey(c);
    }, 2);
    const a = await signer.signature('CH-1', '1', 'a');
    expect(await signer.signature('CH-1', '1', 'a')).toBe(a);
    // Signing is not deterministic (a salt notation, a time): equal text above means the kept one was served.
    expect(await new ProviderSigner(() => loadOpenpgpKey(c)).signature('CH-1', '1', 'a')).not.toBe(a);
    const { armored } = await signer.publicKey();
    const changed = await signer.signature('CH-1', '1', 'a2');
    expect(changed).not.toBe(a);
    expect(await verifiesDetached('a2', changed, armored)).toBe(true);
    const v2 = await signer.signature('CH-1', '2', 'a2');
    expect(v2).not.toBe(changed);
    // at most two kept: the oldest (CH-1 v1) went when CH-2 came
    await signer.signature('CH-2', '1', 'b');
    expect(await signer.signature('CH-1', '2', 'a2')).toBe(v2);
    expect(await signer.signature('CH-1', '1', 'a2')).not.toBe(changed);
    expect(loads).toBe(1);
  });

  it.skipIf(!hasGpg)(
    'verify with GnuPG too (gpg --verify of the document and its .asc), and fail on changed bytes',
    async () => {
      const d = dir();
      const home = join(d, 'gnupg');
      mkdirSync(home, { mode: 0o700 });
      const gpg = (...args: string[]) =>
        spawnSync('gpg', ['--batch', '--homedir', home, ...args], {
          cwd: d,
          encoding: 'utf8',
          env: { ...process.env, LC_ALL: 'C' },
        });
      const signer = new ProviderSigner(() => loadOpenpgpKey(c));
      writeFileSync(join(d, 'key.asc'), (await signer.publicKey()).armored);
      expect(gpg('--import', 'key.asc').status).toBe(0);
      const bytes = JSON.stringify({ document: { title: 'Ünïcode', tracking: { id: 'CH-2026-0001' } } });
      writeFileSync(join(d, 'ch-2026-0001.json'), bytes);
      writeFileSync(join(d, 'ch-2026-0001.json.asc'), await signer.signature('CH-2026-0001', '1', bytes));
      const good = gpg('--verify', 'ch-2026-0001.json.asc', 'ch-2026-0001.json');
      expect(good.status, good.stderr).toBe(0);
      expect(good.stderr).toContain('Good signature');
      writeFileSync(join(d, 'ch-2026-0001.json'), `${bytes} `);
      const bad = gpg('--verify', 'ch-2026-0001.json.asc', 'ch-2026-0001.json');
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toContain('BAD signature');
    },
  );

  it('a key that fails to load is tried again on the next request', async () => {
    let n = 0;
    const signer = new ProviderSigner(async () => {
      if (n++ === 0) throw new Error('not mounted yet');
      return loadOpenpgpKey(c);
    });
    await expect(signer.publicKey()).rejects.toThrow('not mounted yet');
    await expect(signer.signature('CH-1', '1', 'a')).resolves.toMatch(/BEGIN PGP SIGNATURE/);
  });
});
