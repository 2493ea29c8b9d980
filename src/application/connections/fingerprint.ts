import { createHash, createHmac } from 'node:crypto';

/**
 * Keyed hashes derived from SECRET_KEY. A plain hash of a token could be checked against a guess
 * by anyone who reads the events; with the key it cannot.
 */
const derivedKey = (secretKey: string, purpose: string) =>
  createHmac('sha256', secretKey).update(`evosync:${purpose}`).digest();

const hmac = (secretKey: string, purpose: string, value: string) =>
  createHmac('sha256', derivedKey(secretKey, purpose)).update(value).digest('hex');

/** Tells a repeated token from a new one without keeping the token readable. */
export function tokenFingerprint(secretKey: string, token: string): string {
  return hmac(secretKey, 'token-fingerprint', token);
}

/**
 * EvoSync's API token for an Evotor user: derived, not random, so a repeated /user/create
 * delivery gets the very same token without it ever being stored.
 */
export function evotorApiToken(secretKey: string, evotorUserId: string): string {
  return Buffer.from(hmac(secretKey, 'evotor-api-token', evotorUserId), 'hex').toString(
    'base64url',
  );
}

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** A webhook body's identity: the same fields and values give the same fingerprint. */
export function requestFingerprint(secretKey: string, body: Record<string, unknown>): string {
  const canonical = JSON.stringify(
    Object.keys(body)
      .sort()
      .map((key) => [key, body[key]]),
  );
  return hmac(secretKey, 'evotor-request', canonical);
}
