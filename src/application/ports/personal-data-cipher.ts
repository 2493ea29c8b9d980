/**
 * Encrypts personal data and secrets with a key that belongs to one owner (a user). Events and
 * tables keep only the ciphertext; `destroyKey` makes every ciphertext of that owner unreadable
 * for good ("crypto-shredding"), which is how an account deletion erases it from the events.
 */
export interface PersonalDataCipher {
  /** creates the owner's key on first use */
  encrypt(ownerId: string, plaintext: string): Promise<string>;
  /** throws KeyDestroyedError when the owner's key is gone */
  decrypt(ownerId: string, ciphertext: string): Promise<string>;
  destroyKey(ownerId: string): Promise<void>;
}

export class KeyDestroyedError extends Error {
  constructor(readonly ownerId: string) {
    super(`No key for ${ownerId}: the data was erased`);
    this.name = 'KeyDestroyedError';
  }
}

export const CIPHERTEXT_PREFIX = 'enc:v1:';

export const isCiphertext = (value: unknown): value is string =>
  typeof value === 'string' && value.startsWith(CIPHERTEXT_PREFIX);
