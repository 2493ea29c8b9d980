import { QueryTypes, type Sequelize } from 'sequelize';

/**
 * The owner's email address from the users read table (the users projection keeps it
 * decrypted): where the sync's notices go. Null for an erased (its row is gone) or unknown account.
 */
export function emailFromUsersTable(sequelize: Sequelize) {
  return async (userId: string): Promise<string | null> => {
    const [row] = await sequelize.query<{ email: string }>('SELECT email FROM users WHERE id = ?', {
      replacements: [userId],
      type: QueryTypes.SELECT,
    });
    return row?.email ? row.email : null;
  };
}
