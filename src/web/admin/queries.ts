import { QueryTypes, type Sequelize } from 'sequelize';

/** Builds `WHERE a AND b` from optional conditions, with `?` replacements in order. */
export class Where {
  private readonly parts: string[] = [];
  readonly values: unknown[] = [];
  add(condition: string, ...values: unknown[]): this {
    this.parts.push(condition);
    this.values.push(...values);
    return this;
  }
  toString(): string {
    return this.parts.length > 0 ? `WHERE ${this.parts.join(' AND ')}` : '';
  }
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function page<T extends object>(
  sequelize: Sequelize,
  from: string,
  where: Where,
  columns: string,
  order: string,
  limit: number,
  offset: number,
): Promise<{ rows: T[]; total: number }> {
  const [count] = await sequelize.query<{ n: number }>(
    `SELECT COUNT(*) AS n FROM ${from} ${where}`,
    {
      replacements: where.values,
      type: QueryTypes.SELECT,
    },
  );
  const rows = await sequelize.query<T>(
    `SELECT ${columns} FROM ${from} ${where} ORDER BY ${order} LIMIT ? OFFSET ?`,
    { replacements: [...where.values, limit, offset], type: QueryTypes.SELECT },
  );
  return { rows, total: Number(count?.n ?? 0) };
}

export interface UserRow {
  id: string;
  email: string;
  name: string | null;
  phone: string | null;
  status: string;
  role: string;
  email_confirmed: number;
  invited: number;
  created_at: Date;
  last_login_at: Date | null;
  last_revision: number;
  /** the zone the user chose for their pages; null: the site's (Moscow) */
  time_zone: string | null;
}

export function userFilters(f: { q: string; role: string; status: string }): Where {
  const where = new Where();
  if (f.q) {
    const like = `%${likeEscape(f.q.toLowerCase())}%`;
    where.add("(LOWER(email) LIKE ? OR LOWER(COALESCE(name, '')) LIKE ?)", like, like);
  }
  if (f.role) where.add('role = ?', f.role);
  if (f.status) where.add('status = ?', f.status);
  return where;
}

export async function userById(sequelize: Sequelize, id: string): Promise<UserRow | null> {
  const rows = await sequelize.query<UserRow>('SELECT * FROM users WHERE id = ?', {
    replacements: [id],
    type: QueryTypes.SELECT,
  });
  return rows[0] ?? null;
}

export async function roleNames(
  sequelize: Sequelize,
): Promise<Array<{ name: string; title: string }>> {
  return sequelize.query<{ name: string; title: string }>(
    'SELECT name, title FROM roles ORDER BY name',
    {
      type: QueryTypes.SELECT,
    },
  );
}

export { likeEscape };
