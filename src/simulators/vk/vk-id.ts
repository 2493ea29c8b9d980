import { createHash, randomBytes, randomUUID } from 'node:crypto';
import express, { Router, type Response } from 'express';
import type { VkSimAdmin } from './admin.js';
import type { VkCore } from './core.js';
import type { SimVkIdGrant } from './state.js';

/** VK ID's authorization codes live ten minutes (the redirect carries `expires_in=600`). */
const CODE_TTL_SECONDS = 600;
const VERIFIER = /^[A-Za-z0-9_-]{43,128}$/;

const q = (v: unknown) => (typeof v === 'string' ? v : '');
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/**
 * id.vk.com as VK ID's OAuth 2.1 documentation describes it ("Справочник методов"): the
 * authorize page (approves at once as the admin's login user), and `POST /oauth2/auth` for
 * `grant_type=authorization_code` (PKCE S256 checked, `device_id` from the redirect) and
 * `grant_type=refresh_token` (single use: every refresh answers a new refresh token, and the
 * old one is refused from then on). Access tokens expire after `vkIdAccessTokenSeconds`.
 */
export function vkIdRouter(core: VkCore, admin: VkSimAdmin): Router {
  const router = Router();
  const ids = () => core.state.vkId;

  router.get('/authorize', (req, res) => {
    const p = { ...(req.query as Record<string, unknown>) };
    const redirectUri = q(p.redirect_uri);
    const refuse = (error: string, description: string) =>
      void res.status(400).json({ error, error_description: description });
    if (q(p.client_id) !== admin.vkIdApp.clientId)
      return refuse('invalid_client', 'client_id is incorrect');
    if (!/^https?:\/\//.test(redirectUri)) return refuse('invalid_request', 'redirect_uri');
    if (q(p.response_type) !== 'code') return refuse('invalid_request', 'response_type');
    if (!q(p.state)) return refuse('invalid_request', 'state is required');
    if (!q(p.code_challenge)) return refuse('invalid_request', 'code_challenge is required');
    if (q(p.code_challenge_method).toLowerCase() !== 's256')
      return refuse('invalid_request', 'code_challenge_method must be s256');
    if (q(p.scope).split(/[ ,]/).includes('offline'))
      return refuse('invalid_scope', 'offline is not a VK ID scope');

    let userId = admin.loginUserId ?? [...core.state.users.keys()][0];
    if (userId === undefined) userId = admin.addUser({ id: 1 }).id;
    const code = `vk2.a.${randomBytes(18).toString('base64url')}`;
    const deviceId = randomUUID();
    ids().codes.set(code, {
      userId,
      clientId: admin.vkIdApp.clientId,
      redirectUri,
      codeChallenge: q(p.code_challenge),
      deviceId,
      scope: q(p.scope) || 'vkid.personal_info',
      expiresAt: core.now() + CODE_TTL_SECONDS * 1000,
    });
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    target.searchParams.set('expires_in', String(CODE_TTL_SECONDS));
    target.searchParams.set('device_id', deviceId);
    target.searchParams.set('state', q(p.state));
    target.searchParams.set('type', 'code_v2');
    res.redirect(302, target.toString());
  });

  router.post('/oauth2/auth', express.urlencoded({ extended: false }), (req, res) => {
    // VK's own SDK sends most parameters in the query and the secret ones in the body.
    const p = {
      ...(req.query as Record<string, unknown>),
      ...(req.body as Record<string, unknown>),
    };
    const grantType = q(p.grant_type);
    const state = q(p.state);
    const entry = { at: core.now(), grantType, error: null as string | null };
    ids().log.push(entry);
    const refuse = (error: string, description: string, status = 400) => {
      entry.error = error;
      res.status(status).json({ error, error_description: description, state });
    };
    if (q(p.client_id) !== admin.vkIdApp.clientId)
      return refuse('invalid_client', 'client_id is incorrect', 401);
    if (!state) return refuse('invalid_request', 'state is required');
    const deviceId = q(p.device_id);
    if (!deviceId) return refuse('invalid_request', 'device_id is required');

    if (grantType === 'authorization_code') {
      const code = q(p.code);
      const pending = ids().codes.get(code);
      ids().codes.delete(code);
      if (!pending || pending.expiresAt < core.now())
        return refuse('invalid_grant', 'code is invalid or expired');
      if (pending.deviceId !== deviceId) return refuse('invalid_grant', 'device_id mismatch');
      if (pending.redirectUri !== q(p.redirect_uri))
        return refuse('invalid_grant', 'redirect_uri mismatch');
      const verifier = q(p.code_verifier);
      if (!VERIFIER.test(verifier) || s256(verifier) !== pending.codeChallenge)
        return refuse('invalid_grant', 'code_verifier is invalid');
      return issue(res, pending, state, true);
    }
    if (grantType === 'refresh_token') {
      const grant = ids().grants.get(q(p.refresh_token));
      if (!grant || grant.clientId !== admin.vkIdApp.clientId)
        return refuse('invalid_grant', 'refresh_token is invalid');
      if (grant.revoked) return refuse('invalid_grant', 'refresh_token is revoked');
      if (grant.used) return refuse('invalid_grant', 'refresh_token is already used');
      if (grant.deviceId !== deviceId) return refuse('invalid_grant', 'device_id mismatch');
      grant.used = true;
      return issue(res, grant, state, false);
    }
    refuse('unsupported_grant_type', 'grant_type is not supported');
  });

  function issue(
    res: Response,
    from: Pick<SimVkIdGrant, 'userId' | 'clientId' | 'deviceId' | 'scope'>,
    state: string,
    withIdToken: boolean,
  ): void {
    const seconds = core.settings.vkIdAccessTokenSeconds;
    const accessToken = `vk2.a.${randomBytes(24).toString('base64url')}`;
    const refreshToken = `vk2.r.${randomBytes(24).toString('base64url')}`;
    admin.addToken({ token: accessToken, kind: 'user', userId: from.userId });
    const token = core.state.tokens.get(accessToken);
    if (token) token.expiresAt = core.now() + seconds * 1000;
    ids().grants.set(refreshToken, {
      userId: from.userId,
      clientId: from.clientId,
      deviceId: from.deviceId,
      scope: from.scope,
      used: false,
      revoked: false,
    });
    res.json({
      refresh_token: refreshToken,
      access_token: accessToken,
      ...(withIdToken ? { id_token: `sim.${randomBytes(12).toString('base64url')}` } : {}),
      token_type: 'Bearer',
      expires_in: seconds,
      user_id: from.userId,
      state,
      scope: from.scope,
    });
  }

  return router;
}
