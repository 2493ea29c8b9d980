import { Router, type RequestHandler } from 'express';
import type { Accounts } from '../../application/accounts/index.js';
import type { LoginOutcome } from '../auth/passport.js';
import { flash, parseForm, refusalToErrors, renderForm } from '../forms.js';
import { emailOnlySchema, loginSchema, newPasswordSchema, registerSchema } from './schemas.js';

export interface PublicRouteDeps {
  accounts: Accounts;
  authenticate: RequestHandler;
  limits: { login: RequestHandler; register: RequestHandler; passwordReset: RequestHandler };
}

const q = (v: unknown) => (typeof v === 'string' ? v : '');

/** Only local paths: `next` must not send the user to another site after login. */
const safeNext = (v: unknown) => {
  const s = q(v);
  return s.startsWith('/') && !s.startsWith('//') && !s.startsWith('/\\') ? s : '/profile';
};

export function publicRoutes({ accounts, authenticate, limits }: PublicRouteDeps): Router {
  const r = Router();
  const { self } = accounts;

  r.get('/', (req, res) => res.redirect(req.currentUser ? '/profile' : '/login'));

  r.get('/register', (_req, res) =>
    renderForm(res, 'auth/register', { title: 'Регистрация' }, 200),
  );
  r.post('/register', limits.register, async (req, res) => {
    const form = parseForm(registerSchema, req.body);
    const view = (locals: object) =>
      renderForm(res, 'auth/register', { title: 'Регистрация', ...locals });
    if (!form.ok) return view(form);
    try {
      await self.register(form.data);
    } catch (error) {
      const errors = refusalToErrors(error);
      if (!errors) throw error;
      return view({ errors, values: req.body as object });
    }
    res.render('auth/message', {
      title: 'Проверьте почту',
      message: `Мы отправили письмо на ${form.data.email}. Откройте ссылку из него, чтобы подтвердить адрес.`,
    });
  });

  r.get('/confirm-email', async (req, res) => {
    try {
      await self.confirmEmail(q(req.query.user), q(req.query.token));
    } catch (error) {
      const errors = refusalToErrors(error);
      if (!errors) throw error;
      return res.status(400).render('auth/message', {
        title: 'Подтверждение не удалось',
        message: Object.values(errors)[0],
        resend: true,
      });
    }
    flash(req, 'success', 'Email подтверждён. Теперь можно войти.');
    res.redirect(303, '/login');
  });

  const resendView = { title: 'Письмо с подтверждением' };
  r.get('/resend-confirm', (_req, res) =>
    renderForm(res, 'auth/email-form', { ...resendView, action: '/resend-confirm' }, 200),
  );
  r.post('/resend-confirm', limits.passwordReset, async (req, res) => {
    const form = parseForm(emailOnlySchema, req.body);
    if (!form.ok)
      return renderForm(res, 'auth/email-form', {
        ...resendView,
        action: '/resend-confirm',
        ...form,
      });
    await self.resendConfirmation(form.data.email);
    res.render('auth/message', {
      title: 'Проверьте почту',
      message:
        'Если этот адрес зарегистрирован и ещё не подтверждён, мы отправили на него новое письмо.',
    });
  });

  r.get('/login', (req, res) =>
    renderForm(res, 'auth/login', { title: 'Вход', next: safeNext(req.query.next) }, 200),
  );
  r.post('/login', limits.login, async (req, res, next) => {
    const form = parseForm(loginSchema, req.body);
    const view = (locals: object, status = 422) =>
      renderForm(
        res,
        'auth/login',
        { title: 'Вход', next: safeNext(req.body?.next), ...locals },
        status,
      );
    if (!form.ok) return view(form);
    await new Promise<void>((resolve, reject) =>
      authenticate(req, res, (e?: unknown) => (e ? reject(e) : resolve())),
    );
    const outcome = res.locals.loginOutcome as LoginOutcome;
    if (!outcome.userId)
      return view(
        {
          errors: { _form: outcome.message },
          values: { email: form.data.email },
          unconfirmed: outcome.code === 'unconfirmed',
        },
        401,
      );
    req.logIn({ id: outcome.userId } as Express.User, (error) => {
      if (error) return next(error);
      flash(req, 'success', 'Вы вошли.');
      res.redirect(303, safeNext(req.body?.next));
    });
  });

  r.get('/logout', (_req, res) => res.render('auth/logout', { title: 'Выход' }));
  r.post('/logout', (req, res, next) => {
    req.logOut((error) => {
      if (error) return next(error);
      req.session.regenerate((e) => {
        if (e) return next(e);
        flash(req, 'info', 'Вы вышли.');
        res.redirect(303, '/login');
      });
    });
  });

  const forgotView = { title: 'Забыли пароль?', action: '/forgot-password' };
  r.get('/forgot-password', (_req, res) => renderForm(res, 'auth/email-form', forgotView, 200));
  r.post('/forgot-password', limits.passwordReset, async (req, res) => {
    const form = parseForm(emailOnlySchema, req.body);
    if (!form.ok) return renderForm(res, 'auth/email-form', { ...forgotView, ...form });
    await self.requestPasswordReset(form.data.email);
    res.render('auth/message', {
      title: 'Проверьте почту',
      message: 'Если такой адрес зарегистрирован, мы отправили на него ссылку для смены пароля.',
    });
  });

  for (const kind of ['reset', 'invite'] as const) {
    const path = kind === 'reset' ? '/reset-password' : '/invite';
    const title = kind === 'reset' ? 'Новый пароль' : 'Завершение регистрации';
    const base = { title, action: path };
    r.get(path, async (req, res) => {
      const values = { user: q(req.query.user), token: q(req.query.token) };
      const invitation =
        kind === 'invite' ? await self.invitation(values.user).catch(() => null) : null;
      renderForm(res, 'auth/new-password', { ...base, values, invitation }, 200);
    });
    r.post(path, limits.passwordReset, async (req, res) => {
      const form = parseForm(newPasswordSchema, req.body);
      if (!form.ok) return renderForm(res, 'auth/new-password', { ...base, ...form });
      const { user, token, password } = form.data;
      try {
        if (kind === 'reset') await self.resetPassword(user, token, password);
        else await self.acceptInvite(user, token, password);
      } catch (error) {
        const errors = refusalToErrors(error);
        if (!errors) throw error;
        return renderForm(
          res,
          'auth/new-password',
          { ...base, errors, values: { user, token } },
          400,
        );
      }
      flash(
        req,
        'success',
        kind === 'reset'
          ? 'Пароль изменён. Войдите с новым паролем.'
          : 'Регистрация завершена. Войдите.',
      );
      res.redirect(303, '/login');
    });
  }
  return r;
}
