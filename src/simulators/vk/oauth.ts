import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import type { VkSimAdmin } from './admin.js';
import type { VkCore } from './core.js';

interface PendingCode {
  userId: number;
  clientId: string;
  redirectUri: string;
  scope: string;
  expiresAt: number;
}

const CODE_TTL_MS = 60 * 60 * 1000;

/** oauth.vk.com's authorization-code pair; the login page approves at once. */
export function oauthRouter(core: VkCore, admin: VkSimAdmin): Router {
  const router = Router();
  const codes = new Map<string, PendingCode>();
  const q = (v: unknown) => (typeof v === 'string' ? v : '');

  router.get('/authorize', (req, res) => {
    const clientId = q(req.query.client_id);
    const redirectUri = q(req.query.redirect_uri);
    if (clientId !== admin.oauthApp.clientId) {
      res
        .status(400)
        .json({ error: 'invalid_client', error_description: 'client_id is incorrect' });
      return;
    }
    if (!/^https?:\/\//.test(redirectUri) || q(req.query.response_type) !== 'code') {
      res.status(400).json({
        error: 'invalid_request',
        error_description: 'redirect_uri or response_type is incorrect',
      });
      return;
    }
    let userId = admin.loginUserId ?? [...core.state.users.keys()][0];
    if (userId === undefined) userId = admin.addUser({ id: 1 }).id;
    const code = randomBytes(9).toString('hex');
    codes.set(code, {
      userId,
      clientId,
      redirectUri,
      scope: q(req.query.scope),
      expiresAt: core.now() + CODE_TTL_MS,
    });
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    if (req.query.state !== undefined) target.searchParams.set('state', q(req.query.state));
    res.redirect(302, target.toString());
  });

  router.get('/access_token', (req, res) => {
    const { clientId, clientSecret } = admin.oauthApp;
    if (q(req.query.client_id) !== clientId || q(req.query.client_secret) !== clientSecret) {
      res
        .status(401)
        .json({ error: 'invalid_client', error_description: 'client_secret is incorrect' });
      return;
    }
    const code = q(req.query.code);
    const pending = codes.get(code);
    codes.delete(code);
    if (!pending || pending.expiresAt < core.now() || pending.clientId !== clientId) {
      res
        .status(401)
        .json({ error: 'invalid_grant', error_description: 'Code is invalid or expired.' });
      return;
    }
    if (pending.redirectUri !== q(req.query.redirect_uri)) {
      res
        .status(401)
        .json({ error: 'invalid_grant', error_description: 'redirect_uri is incorrect' });
      return;
    }
    const token = `vk1.a.${randomBytes(24).toString('base64url')}`;
    admin.addToken({ token, kind: 'user', userId: pending.userId });
    const offline = pending.scope.split(/[ ,]/).includes('offline');
    res.json({ access_token: token, expires_in: offline ? 0 : 86_400, user_id: pending.userId });
  });

  return router;
}
