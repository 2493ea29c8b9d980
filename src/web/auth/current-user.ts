import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { QueryTypes, type Sequelize } from 'sequelize';
import { viewFormat } from '../shared/format.js';

/** The signed-in user as pages see it (from the read tables). */
export interface CurrentUser {
  id: string;
  email: string;
  name: string | null;
  status: string;
  role: string;
  roles: string[];
  permissions: string[];
  /** the zone chosen in the profile; null: the site's default (Moscow) */
  timeZone: string | null;
}

declare module 'express-serve-static-core' {
  interface Request {
    currentUser?: CurrentUser;
  }
}

export async function loadCurrentUser(
  sequelize: Sequelize,
  id: string,
): Promise<CurrentUser | null> {
  // One round trip: this runs on every signed-in request.
  const rows = await sequelize.query<{
    id: string;
    email: string;
    name: string | null;
    status: string;
    role: string;
    roles: string | null;
    permissions: string | null;
    time_zone: string | null;
  }>(
    `SELECT u.id, u.email, u.name, u.status, u.role, u.time_zone,
            (SELECT GROUP_CONCAT(ur.role SEPARATOR ',') FROM user_roles ur WHERE ur.user_id = u.id) AS roles,
            (SELECT GROUP_CONCAT(DISTINCT rp.permission SEPARATOR ',') FROM role_permissions rp
              WHERE rp.role IN (SELECT ur.role FROM user_roles ur WHERE ur.user_id = u.id)
                 OR (rp.role = u.role AND NOT EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = u.id))
            ) AS permissions
       FROM users u WHERE u.id = ?`,
    { replacements: [id], type: QueryTypes.SELECT },
  );
  const row = rows[0];
  if (!row) return null;
  const split = (list: string | null) => (list ? list.split(',') : []);
  const roles = split(row.roles);
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    status: row.status,
    role: row.role,
    roles: roles.length > 0 ? roles : [row.role],
    permissions: split(row.permissions),
    timeZone: row.time_zone,
  };
}

/**
 * Reads the session's user on every request (one query, nothing kept in the process): a user
 * who was suspended or deleted meanwhile is signed out at once, whichever web process serves
 * the next request, instead of keeping the session until it expires.
 */
export function currentUser(sequelize: Sequelize): RequestHandler {
  return async (req, res, next) => {
    const id = (req.session as unknown as { passport?: { user?: string } } | undefined)?.passport
      ?.user;
    res.locals.currentUser = null;
    if (!id) return next();
    const user = await loadCurrentUser(sequelize, id);
    if (!user || user.status !== 'active') {
      await new Promise<void>((resolve) => req.session.regenerate(() => resolve()));
      return next();
    }
    req.currentUser = user;
    res.locals.currentUser = user;
    res.locals.can = (permission: string) => user.permissions.includes(permission);
    // Every page of a signed-in user shows times in their zone (the site's when none is chosen).
    if (user.timeZone) res.locals.format = viewFormat(user.timeZone);
    next();
  };
}

export function requireUser(req: Request, res: Response, next: NextFunction): void {
  if (req.currentUser) return next();
  res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
}

/** Every admin route goes through this: signed in, and holding the permission, or 403. */
export function requirePermission(permission: string): RequestHandler {
  return requireAnyPermission([permission]);
}

export function requireAnyPermission(permissions: readonly string[]): RequestHandler {
  return (req, res, next) => {
    if (!req.currentUser) return requireUser(req, res, next);
    if (permissions.some((p) => req.currentUser!.permissions.includes(p))) return next();
    res.status(403).render('error', {
      title: 'Нет доступа',
      status: 403,
      message: 'У вашей учётной записи нет прав на этот раздел.',
    });
  };
}
