/** Test helper: checks a served signature with openpgp, apart from the code that made it. */
import { createMessage, type PublicKey, readKey, readSignature, verify } from 'openpgp';

/** Whether `armoredSignature` is a valid detached signature of `bytes` (UTF-8) by `key` (armored or read). */
export async function verifiesDetached(
  bytes: string,
  armoredSignature: string,
  key: PublicKey | string,
): Promise<boolean> {
  const { signatures } = await verify({
    message: await createMessage({ binary: Buffer.from(bytes, 'utf8') }),
    signature: await readSignature({ armoredSignature }),
    verificationKeys: typeof key === 'string' ? await readKey({ armoredKey: key }) : key,
    format: 'binary',
  });
  return signatures[0]!.verified.then(
    () => true,
    () => false,
  );
}
