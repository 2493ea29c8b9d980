import type { PersonalDataCipher } from '../src/application/ports/personal-data-cipher.js';
import type { Projection } from '../src/application/projections/projection.js';
import { auditLogProjection } from './audit-log/index.js';
import { rolesProjection } from './roles/index.js';
import { usersProjection } from './users/index.js';

/** The read models of the accounts module (users needs the cipher to decrypt personal data). */
export function accountProjections(cipher: PersonalDataCipher): Projection[] {
  return [usersProjection(cipher), rolesProjection, auditLogProjection];
}
