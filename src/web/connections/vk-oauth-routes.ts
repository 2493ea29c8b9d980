import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Router, type Request, type RequestHandler } from 'express';
import {
  ConnectionError,
  type Connections,
  type PendingVkLogin,
} from '../../application/connections/index.js';
import { flash, parseForm, renderForm } from '../forms.js';
import { vkChooseForm } from './schemas.js';

type VkSession = {
  vkOAuthState?: string;
  /** VK ID: the state sent and the PKCE code_verifier, until the callback */
  vkIdState?: string;
  vkIdVerifier?: string;
  vkPending?: PendingVkLogin;
};
const session = (req: Request) => req.session as unknown as VkSession;
const q = (v: unknown) => (typeof v === 'string' ? v : '');

function sameState(sent: string, expected: string | undefined): boolean {
  if (!expected || sent.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(sent), Buffer.from(expected));
}

/**
 * VK login, through VK ID (OAuth 2.1 with PKCE) or oauth.vk.com: start → VK's authorize page →
 * callback (state checked against the session) → the owner picks one of the communities they
 * administer. Until then the tokens wait in the session, encrypted with the owner's key; the
 * PKCE verifier waits there from start to callback and is then dropped.
 */
export function vkOAuthRoutes(deps: { connections: Connections; page: RequestHandler }): Router {
  const router = Router();
  const { connections, page } = deps;
  const userId = (req: Request) => req.currentUser!.id;

  router.get('/connections/vk/oauth/start', page, (req, res) => {
    if (!connections.vk.oauthConfigured) {
      flash(req, 'error', 'Вход через VK не настроен. Вставьте токен и номер сообщества вручную.');
      return res.redirect(303, '/connections');
    }
    const state = randomBytes(24).toString('base64url');
    session(req).vkOAuthState = state;
    req.session.save(() => res.redirect(302, connections.vk.authorizeUrl(state)));
  });

  router.get('/connections/vk/oauth/callback', page, async (req, res) => {
    const s = session(req);
    const expected = s.vkOAuthState;
    delete s.vkOAuthState;
    if (!sameState(q(req.query.state), expected)) {
      flash(req, 'error', 'Вход через VK не удался: ссылка устарела. Начните заново.');
      return res.redirect(303, '/connections');
    }
    const code = q(req.query.code);
    if (!code) {
      flash(req, 'error', 'VK не подтвердил вход. Попробуйте ещё раз.');
      return res.redirect(303, '/connections');
    }
    try {
      s.vkPending = await connections.vk.completeLogin(userId(req), code);
    } catch (error) {
      if (!(error instanceof ConnectionError)) throw error;
      flash(req, 'error', error.message);
      return res.redirect(303, '/connections');
    }
    res.redirect(303, '/connections/vk/choose');
  });

  router.get('/connections/vk/id/start', page, (req, res) => {
    if (!connections.vk.vkIdConfigured) {
      flash(
        req,
        'error',
        'Вход через VK ID не настроен. Вставьте токен и номер сообщества вручную.',
      );
      return res.redirect(303, '/connections');
    }
    const state = randomBytes(24).toString('base64url');
    const verifier = randomBytes(48).toString('base64url');
    Object.assign(session(req), { vkIdState: state, vkIdVerifier: verifier });
    req.session.save(() => res.redirect(302, connections.vk.vkIdAuthorizeUrl(state, verifier)));
  });

  router.get('/connections/vk/id/callback', page, async (req, res) => {
    const s = session(req);
    const { vkIdState: expected, vkIdVerifier: codeVerifier } = s;
    delete s.vkIdState;
    delete s.vkIdVerifier;
    const state = q(req.query.state);
    if (!sameState(state, expected) || !codeVerifier) {
      flash(
        req,
        'error',
        'Вход через VK ID не удался: ссылка устарела или открыта не из EvoSync. Начните заново.',
      );
      return res.redirect(303, '/connections');
    }
    const code = q(req.query.code);
    const deviceId = q(req.query.device_id);
    if (!code || !deviceId) {
      flash(req, 'error', 'VK не подтвердил вход. Попробуйте ещё раз.');
      return res.redirect(303, '/connections');
    }
    try {
      s.vkPending = await connections.vk.completeVkIdLogin(userId(req), {
        code,
        deviceId,
        codeVerifier,
        state,
      });
    } catch (error) {
      if (!(error instanceof ConnectionError)) throw error;
      flash(req, 'error', error.message);
      return res.redirect(303, '/connections');
    }
    res.redirect(303, '/connections/vk/choose');
  });

  const choosePage = (pending: PendingVkLogin) => ({
    title: 'Выбор сообщества VK',
    profile: pending.vkUserName,
    groups: pending.groups,
  });

  router.get('/connections/vk/choose', page, (req, res) => {
    const pending = session(req).vkPending;
    if (!pending) return res.redirect(303, '/connections');
    renderForm(res, 'connections/choose-vk', choosePage(pending), 200);
  });

  router.post('/connections/vk/choose', page, async (req, res) => {
    const pending = session(req).vkPending;
    if (!pending) return res.redirect(303, '/connections');
    const parsed = parseForm(vkChooseForm, req.body);
    if (!parsed.ok)
      return renderForm(res, 'connections/choose-vk', { ...choosePage(pending), ...parsed });
    try {
      await connections.vk.connectChosen(userId(req), pending, parsed.data.groupId);
    } catch (error) {
      if (!(error instanceof ConnectionError)) throw error;
      return renderForm(res, 'connections/choose-vk', {
        ...choosePage(pending),
        errors: { [error.field ?? '_form']: error.message },
      });
    }
    delete session(req).vkPending;
    flash(req, 'success', 'Сообщество VK подключено.');
    res.redirect(303, '/connections');
  });

  return router;
}
