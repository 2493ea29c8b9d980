import type { CommandHandler } from '../commands/command-handler.js';
import type { ReadModelWaiter } from '../ports/read-model-waiter.js';
import type { Decider } from '../../domain/shared/decider.js';
import {
  roleDecider,
  roleStreamId,
  type RoleEvent,
  type RoleState,
} from '../../domain/roles/decide.js';
import { DEFAULT_ROLES } from '../../domain/roles/permissions.js';

interface DefaultsState {
  role: RoleState;
  /** every permission the role ever held: one an admin took away stays away */
  everHeld: string[];
}

type DefaultsCommand = { type: 'AddNewDefaultPermissions'; permissions: string[] };

/**
 * The role decider, plus one command: grant the default permissions the role never had (those
 * added to DEFAULT_ROLES after the role was defined). The change itself is decided by
 * `roleDecider`, so its rules (known permissions, the system role has all) still apply.
 */
export const defaultPermissionsDecider: Decider<DefaultsCommand, RoleEvent, DefaultsState> = {
  initialState: () => ({ role: roleDecider.initialState(), everHeld: [] }),
  evolve: (state, event) => {
    const role = roleDecider.evolve(state.role, event);
    return { role, everHeld: [...new Set([...state.everHeld, ...role.permissions])] };
  },
  decide: (command, state, context) => {
    if (!state.role.name) return [];
    const fresh = command.permissions.filter((p) => !state.everHeld.includes(p));
    if (fresh.length === 0) return [];
    return roleDecider.decide(
      { type: 'ChangeRolePermissions', permissions: [...state.role.permissions, ...fresh] },
      state.role,
      context,
    );
  },
};

export class RolesService {
  constructor(
    private readonly commands: CommandHandler,
    private readonly readModel: ReadModelWaiter,
  ) {}

  /**
   * Defines the built-in roles that do not exist yet and gives existing ones the default
   * permissions added since (never one an admin removed); harmless to run at every start.
   */
  async ensureDefaults(): Promise<void> {
    for (const role of DEFAULT_ROLES) {
      const defined = await this.commands.handle(
        roleDecider,
        roleStreamId(role.name),
        { type: 'DefineRole', ...role },
        { actor: 'system', idempotencyKey: `default-role:${role.name}` },
      );
      const granted = await this.commands.handle(
        defaultPermissionsDecider,
        roleStreamId(role.name),
        { type: 'AddNewDefaultPermissions', permissions: role.permissions },
        { actor: 'system' },
      );
      await this.readModel.waitFor(granted.position ?? defined.position, ['roles']);
    }
  }

  async define(actor: string, role: { name: string; title: string; permissions: string[] }) {
    const result = await this.commands.handle(
      roleDecider,
      roleStreamId(role.name),
      { type: 'DefineRole', ...role },
      { actor },
    );
    await this.readModel.waitFor(result.position, ['roles']);
    return result.events.length > 0;
  }

  /** `expectedRevision` comes from the form, so a concurrent edit gives a "changed meanwhile" page. */
  async changePermissions(
    actor: string,
    name: string,
    permissions: string[],
    expectedRevision?: number,
  ) {
    const result = await this.commands.handle(
      roleDecider,
      roleStreamId(name),
      { type: 'ChangeRolePermissions', permissions },
      { actor, expectedRevision },
    );
    await this.readModel.waitFor(result.position, ['roles']);
  }
}
