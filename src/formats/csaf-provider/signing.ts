/**
 * The CSAF provider's OpenPGP signatures (CSAF 2.0 requirements 19 and 20): one signing key per deployment, detached
 * ASCII-armored signatures of the served document bytes, and the public key that provider-metadata.json lists.
 *
 * The key is CLEARINGHOUSE_CSAF_OPENPGP_KEY_FILE (an armored private key, decrypted with
 * CLEARINGHOUSE_CSAF_OPENPGP_PASSPHRASE when it is encrypted); without it, `csaf-openpgp-key.asc` beside the
 * deployment's secrets key file (src/secrets.ts), generated on first use with mode 0600. Every node of a deployment
 * must share it, like the secrets key.
 *
 * A signature is kept per (tracking id, tracking version) with the SHA-256 of the bytes it signs, so a document is
 * signed once per version and again only when its bytes change without a new version.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createMessage, decryptKey, generateKey, sign as openpgpSign, type PrivateKey, readPrivateKey } from 'openpgp';
import { type Config, ConfigError } from '../../config.js';
import { secretsKeyFile } from '../../secrets.js';

export const GENERATED_KEY_NAME = 'csaf-openpgp-key.asc';

/** Where the signing key is read from: the configured file, else beside the secrets key file. */
export function openpgpKeyFile(config: Config): { file: string; configured: boolean } {
  if (config.csafOpenpgpKeyFile) return { file: resolve(config.csafOpenpgpKeyFile), configured: true };
  return { file: join(dirname(secretsKeyFile(config)), GENERATED_KEY_NAME), configured: false };
}

async function readKey(armored: string, passphrase: string | undefined, where: string): Promise<PrivateKey> {
  let key: PrivateKey;
  try {
    key = await readPrivateKey({ armoredKey: armored });
  } catch (e) {
    throw new Error(`${where}: not an armored OpenPGP private key (${(e as Error).message})`);
  }
  if (!key.isDecrypted()) {
    if (!passphrase) throw new Error(`${where}: the key is encrypted; set CLEARINGHOUSE_CSAF_OPENPGP_PASSPHRASE`);
    try {
      key = await decryptKey({ privateKey: key, passphrase });
    } catch (e) {
      throw new Error(`${where}: cannot decrypt the key (${(e as Error).message})`);
    }
  }
  try {
    await key.getSigningKey();
  } catch (e) {
    throw new Error(`${where}: the key cannot sign (${(e as Error).message})`);
  }
  return key;
}

/**
 * The deployment's CSAF signing key: the configured one, or the generated one (created on first use; when another
 * process creates it first, theirs is read).
 */
export async function loadOpenpgpKey(config: Config): Promise<PrivateKey> {
  const { file, configured } = openpgpKeyFile(config);
  if (configured) {
    const where = `CLEARINGHOUSE_CSAF_OPENPGP_KEY_FILE ${file}`;
    // a configuration error: the server stops at start with this message (provider.routes.ts)
    try {
      return await readKey(readFileSync(file, 'utf8'), config.csafOpenpgpPassphrase, where);
    } catch (e) {
      const message = (e as Error).message;
      throw new ConfigError(message.startsWith(where) ? message : `${where}: ${message}`);
    }
  }
  if (!existsSync(file)) {
    const { privateKey } = await generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'Clearinghouse CSAF provider' }],
      format: 'armored',
    });
    mkdirSync(dirname(file), { recursive: true });
    try {
      writeFileSync(file, privateKey, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return readKey(readFileSync(file, 'utf8'), undefined, `CSAF OpenPGP key ${file}`);
}

export interface PublicOpenpgpKey {
  /** Upper-case hex, as provider-metadata.json lists it. */
  fingerprint: string;
  armored: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Signs served documents with one key, loaded once (on first use), and keeps the signatures. */
export class ProviderSigner {
  private key: Promise<PrivateKey> | undefined;
  private readonly signatures = new Map<string, { digest: string; armored: Promise<string> }>();

  constructor(
    private readonly load: () => Promise<PrivateKey>,
    private readonly maxKept = 10_000,
  ) {}

  private signingKey(): Promise<PrivateKey> {
    if (!this.key) {
      this.key = this.load();
      // a key that failed to load (say, a file not yet mounted) is tried again on the next request
      this.key.catch(() => {
        this.key = undefined;
      });
    }
    return this.key;
  }

  async publicKey(): Promise<PublicOpenpgpKey> {
    const key = await this.signingKey();
    return { fingerprint: key.getFingerprint().toUpperCase(), armored: key.toPublic().armor() };
  }

  /** The detached, armored signature of `bytes`, the document `trackingId` at `version`. */
  signature(trackingId: string, version: string, bytes: string): Promise<string> {
    const id = `${trackingId}\n${version}`;
    const digest = sha256(bytes);
    const kept = this.signatures.get(id);
    this.signatures.delete(id);
    if (kept && kept.digest === digest) {
      this.signatures.set(id, kept); // most recently used last
      return kept.armored;
    }
    const armored = this.sign(bytes);
    this.signatures.set(id, { digest, armored });
    armored.catch(() => {
      if (this.signatures.get(id)?.armored === armored) this.signatures.delete(id);
    });
    if (this.signatures.size > this.maxKept) this.signatures.delete(this.signatures.keys().next().value!);
    return armored;
  }

  private async sign(bytes: string): Promise<string> {
    const message = await createMessage({ binary: Buffer.from(bytes, 'utf8') });
    return openpgpSign({ message, signingKeys: await this.signingKey(), detached: true, format: 'armored' });
  }
}
