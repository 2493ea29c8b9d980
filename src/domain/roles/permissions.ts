/** Permissions are defined in code (routes check them); which role has which is data. */
export const PERMISSIONS = {
  'admin.users': 'Управление пользователями',
  'admin.roles': 'Роли и права',
  'admin.audit': 'Журнал событий',
  'admin.logs': 'Журнал запросов к API',
  'admin.jobs': 'Мониторинг фоновых задач',
  'sync.use': 'Подключения, каталог и синхронизация своего магазина',
} as const;

export type Permission = keyof typeof PERMISSIONS;

export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

export const isPermission = (p: string): p is Permission => p in PERMISSIONS;

export const SYSTEM_ROLE = 'system';

/** The roles of the old system, defined at start when missing. */
export const DEFAULT_ROLES: Array<{ name: string; title: string; permissions: Permission[] }> = [
  { name: SYSTEM_ROLE, title: 'Система', permissions: ALL_PERMISSIONS },
  {
    name: 'admin',
    title: 'Администратор',
    permissions: ['admin.users', 'admin.audit', 'admin.logs', 'admin.jobs'],
  },
  { name: 'user', title: 'Пользователь', permissions: ['sync.use'] },
];
