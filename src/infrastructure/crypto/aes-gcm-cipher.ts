import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import {
  CIPHERTEXT_PREFIX,
  KeyDestroyedError,
  type PersonalDataCipher,
} from '../../application/ports/personal-data-cipher.js';
import type { KeyStore } from './key-store.js';

const IV_BYTES = 12;

/** The master key only wraps user keys; it is derived from SECRET_KEY and never stored. */
export function deriveMasterKey(secretKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKey, 'evosync', 'evosync:user-key-wrapping', 32));
}

function seal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function open(key: Buffer, sealed: Buffer, aad: string): Buffer {
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(IV_BYTES, IV_BYTES + 16);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + 16)), decipher.final()]);
}

/**
 * AES-256-GCM with one data key per owner. The owner id is the additional authenticated data,
 * so a ciphertext copied into another user's event does not decrypt there.
 */
export class AesGcmCipher implements PersonalDataCipher {
  private readonly master: Buffer;

  constructor(
    private readonly keys: KeyStore,
    secretKey: string,
  ) {
    this.master = deriveMasterKey(secretKey);
  }

  private async key(ownerId: string, create: boolean): Promise<Buffer> {
    let wrapped = await this.keys.get(ownerId);
    if (!wrapped) {
      if (!create) throw new KeyDestroyedError(ownerId);
      wrapped = await this.keys.putIfAbsent(ownerId, seal(this.master, randomBytes(32), ownerId));
    }
    return open(this.master, wrapped, ownerId);
  }

  async encrypt(ownerId: string, plaintext: string): Promise<string> {
    const key = await this.key(ownerId, true);
    return (
      CIPHERTEXT_PREFIX + seal(key, Buffer.from(plaintext, 'utf8'), ownerId).toString('base64url')
    );
  }

  async decrypt(ownerId: string, ciphertext: string): Promise<string> {
    if (!ciphertext.startsWith(CIPHERTEXT_PREFIX)) throw new Error('Not a ciphertext');
    const key = await this.key(ownerId, false);
    const sealed = Buffer.from(ciphertext.slice(CIPHERTEXT_PREFIX.length), 'base64url');
    return open(key, sealed, ownerId).toString('utf8');
  }

  async destroyKey(ownerId: string): Promise<void> {
    await this.keys.delete(ownerId);
  }
}
