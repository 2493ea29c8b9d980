import { createHash, randomBytes } from 'node:crypto';

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** The key of the email reservation stream: lowercased, so case variants are one account. */
export const emailHash = (email: string) =>
  createHash('sha256').update(normalizeEmail(email)).digest('hex');

/** A link token: 256 random bits; only its hash is ever stored. */
export function newToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: hashToken(token) };
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
