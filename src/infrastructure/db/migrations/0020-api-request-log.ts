import type { Migration } from '../migrate.js';

/**
 * Every Evotor and VK call, for the admin log viewer. Not an event-sourced read model: it is
 * written directly by the clients and trimmed by retention (`API_LOG_RETENTION_DAYS`). The
 * indexes follow the viewer's filters, each ending in `at` for its newest-first order.
 */
export const apiRequestLog: Migration = {
  name: '0020-api-request-log',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS api_request_log (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        at DATETIME(3) NOT NULL,
        service VARCHAR(16) NOT NULL,
        method VARCHAR(255) NOT NULL,
        url VARCHAR(2048) NOT NULL,
        status SMALLINT UNSIGNED NULL,
        error_code VARCHAR(64) NULL,
        duration_ms INT UNSIGNED NOT NULL,
        request_excerpt TEXT NULL,
        response_excerpt TEXT NULL,
        user_id VARCHAR(64) NULL,
        KEY api_request_log_at (at),
        KEY api_request_log_service_at (service, at),
        KEY api_request_log_user_at (user_id, at),
        KEY api_request_log_status_at (status, at)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  },
  async down({ sequelize }) {
    await sequelize.query('DROP TABLE IF EXISTS api_request_log');
  },
};
