import { z } from 'zod';

const token = z
  .string({ error: 'Вставьте токен.' })
  .trim()
  .min(1, 'Вставьте токен.')
  .max(2000, 'Слишком длинный токен.')
  .regex(/^\S+$/, 'В токене не должно быть пробелов.');

const groupId = z
  .string({ error: 'Укажите номер сообщества.' })
  .trim()
  .min(1, 'Укажите номер сообщества.')
  .transform((v) => v.replace(/^(club|public|-)/, ''))
  .pipe(
    z
      .string()
      .regex(/^\d{1,12}$/, 'Номер сообщества — это число, например 123456.')
      .transform(Number),
  )
  .refine((v) => v > 0, 'Номер сообщества — это число, например 123456.');

export const evotorTokenForm = z.object({ token });
export const vkTokenForm = z.object({ token, groupId });
export const vkChooseForm = z.object({ groupId });
