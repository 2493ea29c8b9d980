import { Router, type Request } from 'express';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import type { Accounts, Actor } from '../../application/accounts/index.js';
import { requireAnyPermission, requirePermission } from '../auth/current-user.js';
import { emailField, optionalText, phone } from '../accounts/schemas.js';
import { flash, pageOf, parseForm, queryString, refusalToErrors, renderForm } from '../forms.js';
import { page, roleNames, userById, userFilters, type UserRow } from './queries.js';
import { scoped } from '../scoped.js';
import { loadShop } from './shop.js';
import { DEFAULT_OWNER_TIME_ZONE, ownerTimeZone } from '../../domain/users/time-zones.js';

const PAGE_SIZE = 25;
const ADMIN_HOME = [
  ['admin.users', '/admin/users'],
  ['admin.roles', '/admin/roles'],
  ['admin.audit', '/admin/audit'],
  ['admin.logs', '/admin/logs'],
] as const;
const ADMIN_PERMISSIONS = ADMIN_HOME.map(([p]) => p);
export const STATUSES = {
  pending: 'Ожидает',
  active: 'Активен',
  suspended: 'Заблокирован',
} as const;

const role = z.string().trim().min(1, 'Выберите роль.').max(32);
const inviteSchema = z.object({ email: emailField, name: optionalText(200, 'Имя'), role });
const editSchema = z.object({ email: emailField, name: optionalText(200, 'Имя'), phone, role });

const actorOf = (req: Request): Actor => ({
  userId: req.currentUser!.id,
  roles: req.currentUser!.roles,
});

export function adminUsersRoutes({
  accounts,
  sequelize,
}: {
  accounts: Accounts;
  sequelize: Sequelize;
}): Router {
  const r = Router();
  // Any /admin path, even one that does not exist, is refused to a user without admin rights.
  r.use('/admin', requireAnyPermission(ADMIN_PERMISSIONS));
  r.get('/admin', (req, res) => {
    const first = ADMIN_HOME.find(([p]) => req.currentUser!.permissions.includes(p));
    res.redirect(first ? first[1] : '/profile');
  });
  r.use('/admin/users', requirePermission('admin.users'));

  const list = async (req: Request) => {
    const filters = {
      q: queryString(req, 'q'),
      role: queryString(req, 'role'),
      status: queryString(req, 'status'),
    };
    const { page: n, offset } = pageOf(req, PAGE_SIZE);
    const result = await page<UserRow>(
      sequelize,
      'users',
      userFilters(filters),
      '*',
      'created_at DESC, id',
      PAGE_SIZE,
      offset,
    );
    return {
      filters,
      ...result,
      page: n,
      pages: Math.max(1, Math.ceil(result.total / PAGE_SIZE)),
      roles: await roleNames(sequelize),
      statuses: STATUSES,
    };
  };

  r.get('/admin/users', async (req, res) => {
    renderForm(
      res,
      'admin/users',
      { title: 'Пользователи', ...(await list(req)), values: { role: 'user' } },
      200,
    );
  });

  r.post('/admin/users/invite', async (req, res) => {
    const form = parseForm(inviteSchema, req.body);
    const again = async (locals: object) =>
      renderForm(res, 'admin/users', {
        title: 'Пользователи',
        ...(await list(req)),
        values: req.body as Record<string, unknown>,
        ...locals,
      });
    if (!form.ok) return again({ errors: form.errors });
    try {
      const id = await accounts.admin.invite(actorOf(req), form.data);
      flash(req, 'success', `Приглашение отправлено на ${form.data.email}.`);
      res.redirect(303, `/admin/users/${encodeURIComponent(id)}`);
    } catch (error) {
      const errors = refusalToErrors(error);
      if (!errors) throw error;
      return again({ errors });
    }
  });

  const detail = async (id: string) => {
    const user = await userById(sequelize, id);
    if (!user) return null;
    const [roles, shop] = await Promise.all([roleNames(sequelize), loadShop(sequelize, id)]);
    // The owner's own clock, for an admin reading their times (shown in the admin's zone).
    const zone = ownerTimeZone(user.time_zone ?? DEFAULT_OWNER_TIME_ZONE);
    return { user, roles, statuses: STATUSES, shop, userZone: zone?.label ?? user.time_zone };
  };

  r.get('/admin/users/:id', async (req, res) => {
    const d = await detail(req.params.id);
    if (!d)
      return res.status(404).render('error', {
        title: 'Нет такого пользователя',
        status: 404,
        message: 'Пользователь не найден.',
      });
    const values = {
      email: d.user.email,
      name: d.user.name ?? '',
      phone: d.user.phone ?? '',
      role: d.user.role,
    };
    renderForm(res, 'admin/user', { title: d.user.email, ...d, values }, 200);
  });

  r.post('/admin/users/:id/edit', async (req, res) => {
    const id = req.params.id;
    const form = parseForm(editSchema, req.body);
    const again = async (errors: Record<string, string>) => {
      const d = await detail(id);
      if (!d) return res.redirect(303, '/admin/users');
      renderForm(res, 'admin/user', {
        title: d.user.email,
        ...d,
        values: req.body as Record<string, unknown>,
        errors,
      });
    };
    if (!form.ok) return again(form.errors);
    try {
      await accounts.admin.edit(actorOf(req), id, form.data);
    } catch (error) {
      const errors = refusalToErrors(error);
      if (!errors) throw error;
      return again(errors);
    }
    flash(req, 'success', 'Изменения сохранены.');
    res.redirect(303, `/admin/users/${encodeURIComponent(id)}`);
  });

  const actions = {
    activate: [
      'Пользователь активирован.',
      (a: Actor, id: string) => accounts.admin.activate(a, id),
    ],
    suspend: [
      'Пользователь заблокирован.',
      (a: Actor, id: string) => accounts.admin.suspend(a, id),
    ],
    'reset-password': [
      'Ссылка для смены пароля отправлена.',
      (a: Actor, id: string) => accounts.admin.resetPassword(a, id),
    ],
    'send-invite': [
      'Приглашение отправлено снова.',
      (a: Actor, id: string) => accounts.admin.resendInvite(a, id),
    ],
    delete: ['Пользователь удалён.', (a: Actor, id: string) => accounts.admin.delete(a, id)],
  } as const;

  for (const [name, [done, run]] of Object.entries(actions)) {
    r.post(`/admin/users/:id/${name}`, async (req, res) => {
      const id = req.params.id;
      try {
        await run(actorOf(req), id);
        flash(req, 'success', done);
      } catch (error) {
        const errors = refusalToErrors(error);
        if (!errors) throw error;
        flash(req, 'error', Object.values(errors)[0] ?? 'Не получилось.');
      }
      res.redirect(
        303,
        name === 'delete' ? '/admin/users' : `/admin/users/${encodeURIComponent(id)}`,
      );
    });
  }
  return scoped('/admin', r);
}
