/**
 * The Ed25519 key that signs chain checkpoints. It lives in a file, never in the database: whoever can write to
 * the database must not be able to sign. Created on the first start when missing, with its public half beside it
 * for auditors; the message printed then says where it is and why it must be kept safe.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly path: string;
  readonly publicKeyPath: string;
}

/** Where the public half is written: beside the private key, for `verify --public-key` and auditors. */
export function publicKeyPathFor(keyPath: string): string {
  return keyPath.replace(/(\.pem)?$/, '.pub.pem');
}

export async function readPublicKey(file: string): Promise<KeyObject> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new Error(`Cannot read the checkpoint public key ${file}: ${error.message}`);
  });
  try {
    const key = createPublicKey(text);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`it is an ${key.asymmetricKeyType} key, not Ed25519`);
    return key;
  } catch (error) {
    throw new Error(`${file} is not an Ed25519 public key in PEM: ${(error as Error).message}`);
  }
}

/** Reads the key at `keyPath`, or creates it (readable by this user only) when there is none; `created` says which. */
export async function loadOrCreateSigningKey(keyPath: string): Promise<SigningKey & { readonly created: boolean }> {
  const publicKeyPath = publicKeyPathFor(keyPath);
  let text: string | null = null;
  try {
    text = await readFile(keyPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`Cannot read the checkpoint signing key ${keyPath}: ${(error as Error).message}`);
  }
  if (text !== null) {
    const privateKey = createPrivateKey(text);
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${keyPath} holds an ${privateKey.asymmetricKeyType} key; checkpoints are signed with Ed25519`);
    return { privateKey, publicKey: createPublicKey(privateKey), path: keyPath, publicKeyPath, created: false };
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  await mkdir(path.dirname(keyPath), { recursive: true });
  // Written whole under a temporary name, then linked into place, which fails when the key exists: of two
  // processes starting together, one creates the key and the other reads it.
  const temporary = `${keyPath}.${process.pid}.tmp`;
  await writeFile(temporary, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  try {
    await link(temporary, keyPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSigningKey(keyPath);
    throw new Error(`Cannot create the checkpoint signing key ${keyPath}: ${(error as Error).message}`);
  } finally {
    await unlink(temporary);
  }
  await writeFile(publicKeyPath, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  return { privateKey, publicKey, path: keyPath, publicKeyPath, created: true };
}
