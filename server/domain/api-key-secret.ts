/** An API key's secret: made as `sk_<prefix>_<secret>`, kept only as a hash, checked in constant time. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX_BYTES = 6;
const SECRET_BYTES = 32;
/**
 * `sk_` then the prefix in hex, then 32 random bytes in base64url. The fixed shape lets secret scanners (and this
 * server) tell a key from any other string; the prefix's fixed length keeps `_` in the secret unambiguous.
 */
const KEY_PATTERN = /^sk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** The key is random and long (256 bits): a fast hash suffices, a password hash would only slow every request. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export interface NewApiKeySecret {
  /** The whole key, shown once to whoever created it and never stored. */
  readonly key: string;
  readonly prefix: string;
  readonly hash: string;
}

export function generateApiKey(): NewApiKeySecret {
  const prefix = randomBytes(PREFIX_BYTES).toString('hex');
  const key = `sk_${prefix}_${randomBytes(SECRET_BYTES).toString('base64url')}`;
  return { key, prefix, hash: hashApiKey(key) };
}

/** The prefix to look the key up by, or null for text that is not shaped like a key at all. */
export function apiKeyPrefix(key: string): string | null {
  return KEY_PATTERN.exec(key)?.[1] ?? null;
}

/** Compares a presented key's hash with the stored one in constant time. */
export function matchesHash(key: string, storedHash: string): boolean {
  const presented = Buffer.from(hashApiKey(key), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
