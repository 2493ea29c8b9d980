import { Router } from 'express';
import { editProfile } from '../../application/accounts/admin-service.js';
import type { Accounts } from '../../application/accounts/index.js';
import { requireUser } from '../auth/current-user.js';
import { flash, parseForm, refusalToErrors, renderForm } from '../forms.js';
import { changePasswordSchema, deleteSchema, profileSchema } from './schemas.js';
import { scoped } from '../scoped.js';
import { OWNER_TIME_ZONES, ownerTimeZone } from '../../domain/users/time-zones.js';
import { pageFormat } from '../shared/format.js';

const zoneOptions = OWNER_TIME_ZONES.map((z) => ({ value: z.id, label: z.label }));

export function profileRoutes({ accounts }: { accounts: Accounts }): Router {
  const r = Router();
  r.use('/profile', requireUser);
  const uid = (req: { currentUser?: { id: string } }) => req.currentUser!.id;

  r.get('/profile', async (req, res) => {
    const profile = await accounts.self.profile(uid(req));
    res.render('profile/show', {
      title: 'Профиль',
      profile,
      roles: req.currentUser!.roles,
      timeZone: ownerTimeZone(pageFormat(res).timeZone),
    });
  });

  // The zone's select lists Russia's zones (the domain's list, the form's validation too).
  const editView = { title: 'Изменить профиль', timeZones: zoneOptions };
  r.get('/profile/edit', async (req, res) => {
    const p = await accounts.self.profile(uid(req));
    const values = {
      name: p.name ?? '',
      phone: p.phone ?? '',
      email: p.email,
      timeZone: pageFormat(res).timeZone,
    };
    renderForm(res, 'profile/edit', { ...editView, values }, 200);
  });
  r.post('/profile/edit', async (req, res) => {
    const form = parseForm(profileSchema, req.body);
    if (!form.ok) return renderForm(res, 'profile/edit', { ...editView, ...form });
    const { timeZone, ...changes } = form.data;
    try {
      await editProfile(accounts.context, uid(req), uid(req), changes);
      if (timeZone) await accounts.self.changeTimeZone(uid(req), timeZone);
    } catch (error) {
      const errors = refusalToErrors(error);
      if (!errors) throw error;
      return renderForm(res, 'profile/edit', {
        ...editView,
        errors,
        values: req.body as Record<string, unknown>,
      });
    }
    flash(req, 'success', 'Профиль сохранён.');
    res.redirect(303, '/profile');
  });

  const pwView = { title: 'Смена пароля' };
  r.get('/profile/change-password', (_req, res) =>
    renderForm(res, 'profile/password', pwView, 200),
  );
  r.post('/profile/change-password', async (req, res) => {
    const form = parseForm(changePasswordSchema, req.body);
    if (!form.ok) return renderForm(res, 'profile/password', { ...pwView, errors: form.errors });
    try {
      await accounts.self.changePassword(uid(req), form.data.current, form.data.password);
    } catch (error) {
      const errors = refusalToErrors(error);
      if (!errors) throw error;
      return renderForm(res, 'profile/password', { ...pwView, errors });
    }
    flash(req, 'success', 'Пароль изменён.');
    res.redirect(303, '/profile');
  });

  const delView = { title: 'Удаление учётной записи' };
  r.get('/profile/delete', (_req, res) => renderForm(res, 'profile/delete', delView, 200));
  r.post('/profile/delete', async (req, res, next) => {
    const form = parseForm(deleteSchema, req.body);
    if (!form.ok) return renderForm(res, 'profile/delete', { ...delView, errors: form.errors });
    try {
      await accounts.self.deleteOwnAccount(uid(req), form.data.password);
    } catch (error) {
      const errors = refusalToErrors(error);
      if (!errors) throw error;
      return renderForm(res, 'profile/delete', { ...delView, errors });
    }
    req.logOut((error) => {
      if (error) return next(error);
      req.session.regenerate(() => {
        flash(req, 'info', 'Учётная запись удалена.');
        res.redirect(303, '/login');
      });
    });
  });
  return scoped('/profile', r);
}
