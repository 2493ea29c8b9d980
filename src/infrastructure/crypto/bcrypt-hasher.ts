import bcrypt from 'bcrypt';
import type { PasswordHasher } from '../../application/ports/password-hasher.js';

export class BcryptHasher implements PasswordHasher {
  /** 12 rounds in production; tests pass 4 to stay quick */
  constructor(private readonly rounds = 12) {}
  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.rounds);
  }
  verify(password: string, hash: string): Promise<boolean> {
    return bcrypt.compare(password, hash);
  }
}
