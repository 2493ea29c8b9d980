import { AdminUsersService } from './admin-service.js';
import { AccountsContext, type AccountsDeps } from './context.js';
import { RolesService } from './roles-service.js';
import { SelfService } from './self-service.js';

export type { AccountsDeps, AccountsSettings, UserProfile } from './context.js';
export type { Actor, ProfileChanges } from './admin-service.js';
export { AccountError } from './errors.js';

export interface Accounts {
  context: AccountsContext;
  self: SelfService;
  admin: AdminUsersService;
  roles: RolesService;
}

export function createAccounts(deps: AccountsDeps): Accounts {
  const context = new AccountsContext(deps);
  return {
    context,
    self: new SelfService(context),
    admin: new AdminUsersService(context),
    roles: new RolesService(deps.commands, deps.readModel),
  };
}
