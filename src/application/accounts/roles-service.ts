import type { CommandHandler } from '../commands/command-handler.js';
import type { ReadModelWaiter } from '../ports/read-model-waiter.js';
import { roleDecider, roleStreamId } from '../../domain/roles/decide.js';
import { DEFAULT_ROLES } from '../../domain/roles/permissions.js';

export class RolesService {
  constructor(
    private readonly commands: CommandHandler,
    private readonly readModel: ReadModelWaiter,
  ) {}

  /** Defines the built-in roles that do not exist yet; harmless to run at every start. */
  async ensureDefaults(): Promise<void> {
    for (const role of DEFAULT_ROLES) {
      const result = await this.commands.handle(
        roleDecider,
        roleStreamId(role.name),
        { type: 'DefineRole', ...role },
        { actor: 'system', idempotencyKey: `default-role:${role.name}` },
      );
      await this.readModel.waitFor(result.position, ['roles']);
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
