import { DomainError, type Decider, type DomainEvent } from '../shared/decider.js';
import { ALL_PERMISSIONS, isPermission, SYSTEM_ROLE } from './permissions.js';

export type RoleEvent =
  | DomainEvent<'RoleDefined', { name: string; title: string; permissions: string[] }>
  | DomainEvent<'RolePermissionsChanged', { name: string; permissions: string[] }>;

export type RoleCommand =
  | { type: 'DefineRole'; name: string; title: string; permissions: string[] }
  | { type: 'ChangeRolePermissions'; permissions: string[] };

export interface RoleState {
  name: string | null;
  permissions: string[];
}

export const ROLE_EVENT_TYPES = ['RoleDefined', 'RolePermissionsChanged'] as const;

export const roleStreamId = (name: string) => `role-${name}`;

export const ROLE_NAME = /^[a-z][a-z0-9_-]{1,31}$/;

const normalize = (permissions: string[]) => [...new Set(permissions)].sort();

function validPermissions(permissions: string[]): string[] {
  const unknown = permissions.filter((p) => !isPermission(p));
  if (unknown.length > 0)
    throw new DomainError('unknown_permission', `Неизвестные права: ${unknown.join(', ')}`);
  return normalize(permissions);
}

export const roleDecider: Decider<RoleCommand, RoleEvent, RoleState> = {
  initialState: () => ({ name: null, permissions: [] }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'RoleDefined':
        return { name: event.data.name, permissions: event.data.permissions };
      case 'RolePermissionsChanged':
        return { ...state, permissions: event.data.permissions };
      default: {
        const _never: never = event;
        return _never;
      }
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'DefineRole': {
        if (state.name) return [];
        if (!ROLE_NAME.test(command.name))
          throw new DomainError(
            'bad_role_name',
            'Имя роли: латинские буквы, цифры, _ и -, от 2 до 32 символов.',
            'name',
          );
        const permissions = validPermissions(command.permissions);
        return [
          { type: 'RoleDefined', data: { name: command.name, title: command.title, permissions } },
        ];
      }
      case 'ChangeRolePermissions': {
        if (!state.name) throw new DomainError('role_not_found', 'Роль не найдена.');
        const permissions = validPermissions(command.permissions);
        // Without every permission on the system role nobody could repair the roles again.
        if (state.name === SYSTEM_ROLE && permissions.length !== ALL_PERMISSIONS.length)
          throw new DomainError('system_role_fixed', 'У роли «Система» всегда есть все права.');
        if (permissions.join() === normalize(state.permissions).join()) return [];
        return [{ type: 'RolePermissionsChanged', data: { name: state.name, permissions } }];
      }
      default: {
        const _never: never = command;
        return _never;
      }
    }
  },
};
