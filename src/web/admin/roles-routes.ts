import { Router } from 'express';
import { QueryTypes, type Sequelize } from 'sequelize';
import { z } from 'zod';
import type { Accounts } from '../../application/accounts/index.js';
import { PERMISSIONS } from '../../domain/roles/permissions.js';
import { requirePermission } from '../auth/current-user.js';
import { flash, parseForm, refusalToErrors, renderForm } from '../forms.js';
import { scoped } from '../scoped.js';

const list = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const permissionsSchema = z.object({
  permissions: z.preprocess(list, z.array(z.string().max(64)).max(50)),
  revision: z.coerce.number().int().min(0),
});
const defineSchema = z.object({
  name: z
    .string()
    .trim()
    .regex(
      /^[a-z][a-z0-9_-]{1,31}$/,
      'Латинские строчные буквы, цифры, _ и -, от 2 до 32 символов.',
    ),
  title: z.string().trim().min(1, 'Укажите название.').max(100, 'Не длиннее 100 символов.'),
  permissions: z.preprocess(list, z.array(z.string().max(64)).max(50)),
});

export function adminRolesRoutes({
  accounts,
  sequelize,
}: {
  accounts: Accounts;
  sequelize: Sequelize;
}): Router {
  const r = Router();
  r.use('/admin/roles', requirePermission('admin.roles'));

  const load = async () => {
    const roles = await sequelize.query<{ name: string; title: string; last_revision: number }>(
      'SELECT name, title, last_revision FROM roles ORDER BY name',
      { type: QueryTypes.SELECT },
    );
    const grants = await sequelize.query<{ role: string; permission: string }>(
      'SELECT role, permission FROM role_permissions',
      { type: QueryTypes.SELECT },
    );
    return {
      roles: roles.map((role) => ({
        ...role,
        permissions: grants.filter((g) => g.role === role.name).map((g) => g.permission),
      })),
      permissions: PERMISSIONS,
    };
  };

  r.get('/admin/roles', async (_req, res) => {
    renderForm(res, 'admin/roles', { title: 'Роли и права', ...(await load()) }, 200);
  });

  r.post('/admin/roles', async (req, res) => {
    const form = parseForm(defineSchema, req.body);
    const again = async (errors: Record<string, string>) =>
      renderForm(res, 'admin/roles', {
        title: 'Роли и права',
        ...(await load()),
        errors,
        values: req.body as Record<string, unknown>,
      });
    if (!form.ok) return again(form.errors);
    try {
      const created = await accounts.roles.define(req.currentUser!.id, form.data);
      if (!created) return again({ name: 'Такая роль уже есть.' });
    } catch (error) {
      const errors = refusalToErrors(error);
      if (!errors) throw error;
      return again(errors);
    }
    flash(req, 'success', `Роль «${form.data.title}» создана.`);
    res.redirect(303, '/admin/roles');
  });

  r.post('/admin/roles/:name/permissions', async (req, res) => {
    const form = parseForm(permissionsSchema, req.body);
    if (!form.ok) {
      flash(req, 'error', 'Форма заполнена неверно.');
      return res.redirect(303, '/admin/roles');
    }
    try {
      await accounts.roles.changePermissions(
        req.currentUser!.id,
        req.params.name,
        form.data.permissions,
        form.data.revision,
      );
      flash(req, 'success', 'Права роли сохранены.');
    } catch (error) {
      const errors = refusalToErrors(error);
      if (!errors) throw error;
      flash(req, 'error', Object.values(errors)[0] ?? 'Не получилось.');
    }
    res.redirect(303, '/admin/roles');
  });
  return scoped('/admin/roles', r);
}
