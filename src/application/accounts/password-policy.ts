import { z } from 'zod';

const COMMON = new Set([
  'password',
  'password1',
  '12345678',
  '123456789',
  '1234567890',
  'qwerty123',
  'qwertyui',
  '11111111',
  'admin123',
  'iloveyou',
  'йцукенгш',
]);

/** The one password rule, for the web forms and the `admin create` CLI alike. */
export const passwordSchema = z
  .string()
  .min(8, 'Пароль: не короче 8 символов.')
  .max(200, 'Пароль: не длиннее 200 символов.')
  .refine((p) => /\p{L}/u.test(p) && /\d/.test(p), 'Пароль должен содержать буквы и цифры.')
  .refine((p) => !COMMON.has(p.toLowerCase()), 'Этот пароль слишком распространён.');

export function passwordProblem(password: string): string | null {
  const result = passwordSchema.safeParse(password);
  return result.success ? null : (result.error.issues[0]?.message ?? 'Слабый пароль.');
}
