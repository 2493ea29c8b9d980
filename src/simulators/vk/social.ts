import type { CallContext, Handler } from './context.js';
import { paramError, vkError } from './errors.js';
import type { SimCommunity } from './state.js';
import { bool, type RawParams } from './validate.js';

function groupObject(ctx: CallContext, c: SimCommunity) {
  const isAdmin = ctx.token.userId !== undefined && c.admins.includes(ctx.token.userId);
  return {
    id: c.id,
    name: c.name,
    screen_name: c.screenName,
    is_closed: 0,
    type: 'group',
    is_admin: isAdmin ? 1 : 0,
    ...(isAdmin ? { admin_level: 3 } : {}),
    photo_50: `${ctx.origin}/photos/group-${c.id}.png`,
    market: { enabled: c.marketEnabled ? 1 : 0 },
  };
}

function requireUser(ctx: CallContext): number {
  if (ctx.token.userId === undefined) {
    throw vkError(27, 'method is unavailable with group auth.');
  }
  return ctx.token.userId;
}

const list = (params: RawParams, ...names: string[]) =>
  names
    .flatMap((n) => (params[n] ?? '').split(','))
    .map((s) => s.trim())
    .filter(Boolean);

export const socialMethods: Record<string, Handler> = {
  'groups.getById': (ctx, params) => {
    let ids = list(params, 'group_ids', 'group_id');
    if (ids.length === 0 && ctx.token.kind === 'community')
      ids = ctx.token.communityIds.map(String);
    if (ids.length === 0) throw paramError('group_ids is undefined');
    const groups = ids.map((ref) => {
      const found = [...ctx.state.communities.values()].find(
        (c) => String(c.id) === ref || c.screenName === ref || `club${c.id}` === ref,
      );
      if (!found) throw paramError('group_ids is invalid');
      return groupObject(ctx, found);
    });
    return { groups, profiles: [] };
  },
  'groups.get': (ctx, params) => {
    const userId = requireUser(ctx);
    // The simulator tracks administrators only, so every filter lists the same communities.
    const mine = [...ctx.state.communities.values()].filter((c) => c.admins.includes(userId));
    return {
      count: mine.length,
      items: bool(params, 'extended')
        ? mine.map((c) => groupObject(ctx, c))
        : mine.map((c) => c.id),
    };
  },
  'users.get': (ctx, params) => {
    const ids = list(params, 'user_ids');
    const wanted = ids.length > 0 ? ids.map(Number) : [requireUser(ctx)];
    return wanted.flatMap((id) => {
      const u = ctx.state.users.get(id);
      if (!u) throw vkError(113);
      return [
        {
          id: u.id,
          first_name: u.firstName,
          last_name: u.lastName,
          can_access_closed: true,
          is_closed: false,
        },
      ];
    });
  },
};
