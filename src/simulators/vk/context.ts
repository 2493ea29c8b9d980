import { vkError } from './errors.js';
import type { SimCommunity, SimState, SimToken } from './state.js';
import type { RawParams } from './validate.js';

export interface SimSettings {
  /** how long after market.delete an item may be restored; null = forever */
  restoreWindowMs: number | null;
  maxItemsPerCommunity: number;
  maxAlbumsPerCommunity: number;
  minPhotoSide: number;
  /** lifetime of VK ID access tokens (VK: an hour); tests shorten it */
  vkIdAccessTokenSeconds: number;
}

export interface CallContext {
  state: SimState;
  token: SimToken;
  settings: SimSettings;
  /** the simulator's own origin, for upload and photo URLs */
  origin: string;
  now(): number;
}

export type Handler = (ctx: CallContext, params: RawParams) => unknown;

/** The community behind `owner_id` (negative) that this token may manage. */
export function managedCommunity(ctx: CallContext, ownerIdRaw: string | undefined): SimCommunity {
  const ownerId = Number(ownerIdRaw);
  if (!(ownerId < 0)) {
    throw vkError(100, 'owner_id should be negative: market items belong to communities');
  }
  return adminOf(ctx, -ownerId);
}

/** Reading a market needs no admin rights, only an existing community with market on. */
export function readableCommunity(ctx: CallContext, ownerIdRaw: string | undefined): SimCommunity {
  const ownerId = Number(ownerIdRaw);
  const community = ownerId < 0 ? ctx.state.communities.get(-ownerId) : undefined;
  if (!community) throw vkError(15, 'this owner has no market available to you');
  if (!community.marketEnabled) throw vkError(1438);
  return community;
}

export function adminOf(ctx: CallContext, groupId: number): SimCommunity {
  const community = ctx.state.communities.get(groupId);
  if (!community || !mayManage(ctx.token, community)) {
    throw vkError(15, 'you are not an administrator of this community');
  }
  if (!community.marketEnabled) throw vkError(1438);
  return community;
}

/** A user token acts for a community's administrator; a community token for its community. */
export function mayManage(token: SimToken, community: SimCommunity): boolean {
  return token.kind === 'user'
    ? token.userId !== undefined && community.admins.includes(token.userId)
    : token.communityIds.includes(community.id);
}

export const unixNow = (ctx: CallContext) => Math.floor(ctx.now() / 1000);
