import { z } from 'zod';
import { passwordSchema } from '../../application/accounts/password-policy.js';
import { ownerTimeZone, TIME_ZONE_REFUSED } from '../../domain/users/time-zones.js';

const email = z
  .string({ error: 'Укажите email.' })
  .trim()
  .min(1, 'Укажите email.')
  .max(254, 'Слишком длинный email.')
  .pipe(z.email({ error: 'Email указан неверно.' }));

const optionalText = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label}: не длиннее ${max} символов.`)
    .optional()
    .transform((v) => (v ? v : null));

export const phone = z
  .string()
  .trim()
  .max(32, 'Телефон: не длиннее 32 символов.')
  .refine(
    (v) => v === '' || /^\+?[0-9 ()-]{5,31}$/.test(v),
    'Телефон: цифры, пробелы, скобки, +, -.',
  )
  .optional()
  .transform((v) => (v ? v : null));

const password = z.string({ error: 'Введите пароль.' }).pipe(passwordSchema);
const confirmed = <T extends { password: string; password2: string }>(v: T) =>
  v.password === v.password2;
const mismatch = { message: 'Пароли не совпадают.', path: ['password2'] };

export const loginSchema = z.object({
  email,
  password: z.string({ error: 'Введите пароль.' }).min(1, 'Введите пароль.'),
});

export const registerSchema = z
  .object({ email, name: optionalText(200, 'Имя'), password, password2: z.string().default('') })
  .refine(confirmed, mismatch);

export const emailOnlySchema = z.object({ email });

export const newPasswordSchema = z
  .object({
    user: z.string().min(1).max(64),
    token: z.string().min(1).max(200),
    password,
    password2: z.string().default(''),
  })
  .refine(confirmed, mismatch);

/** One of Russia's zones (the domain's list); a form without the field keeps the zone. */
const timeZone = z
  .string()
  .refine((v) => ownerTimeZone(v) !== undefined, TIME_ZONE_REFUSED)
  .optional();

export const profileSchema = z.object({
  name: optionalText(200, 'Имя'),
  phone,
  email,
  timeZone,
});

export const changePasswordSchema = z
  .object({
    current: z.string().min(1, 'Введите текущий пароль.'),
    password,
    password2: z.string().default(''),
  })
  .refine(confirmed, mismatch);

export const deleteSchema = z.object({
  password: z.string().min(1, 'Введите пароль для подтверждения.'),
});

export { email as emailField, optionalText };
