import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Where the audit trail lives (the app's table, not the package's). */
export const AUDIT_TABLE = 'audit_events';

/**
 * Creates the audit trail's table. Append-only and written in multi-row batches (audit.trail.ts); read
 * newest first, by user (`ix_audit_events_user`: keyset paging on id) or overall; deleted by age
 * (`ix_audit_events_occurred_at`, the retention job). Identifiers are utf8mb4_bin like the users table's.
 * No column can hold a token, session_key, login code or phone number: `detail` is a small JSON object
 * of non-secret facts.
 */
export class CreateAuditEvents1798500000000 implements MigrationInterface {
  name = 'CreateAuditEvents1798500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const statements = queryRunner.connection.options.type === 'mysql' ? MYSQL : SQLITE;
    for (const statement of statements) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${queryRunner.connection.driver.escape(AUDIT_TABLE)}`);
  }
}

const MYSQL = [
  `CREATE TABLE \`${AUDIT_TABLE}\` (
    \`id\` bigint unsigned NOT NULL AUTO_INCREMENT,
    \`occurred_at\` datetime(3) NOT NULL,
    \`kind\` varchar(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    \`user_id\` int unsigned NULL,
    \`appid\` varchar(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    \`openid\` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    \`code\` varchar(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
    \`operator\` varchar(64) NULL,
    \`ip\` varchar(45) CHARACTER SET ascii COLLATE ascii_bin NULL,
    \`user_agent\` varchar(255) NULL,
    \`request_id\` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    \`detail\` varchar(1024) NULL,
    PRIMARY KEY (\`id\`),
    KEY \`ix_${AUDIT_TABLE}_occurred_at\` (\`occurred_at\`),
    KEY \`ix_${AUDIT_TABLE}_user\` (\`user_id\`, \`id\`)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
];

const SQLITE = [
  `CREATE TABLE IF NOT EXISTS "${AUDIT_TABLE}" (
    "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
    "occurred_at" datetime NOT NULL,
    "kind" varchar(32) NOT NULL,
    "user_id" integer,
    "appid" varchar(32),
    "openid" varchar(64),
    "code" varchar(64),
    "operator" varchar(64),
    "ip" varchar(45),
    "user_agent" varchar(255),
    "request_id" varchar(64),
    "detail" varchar(1024)
  )`,
  `CREATE INDEX IF NOT EXISTS "ix_${AUDIT_TABLE}_occurred_at" ON "${AUDIT_TABLE}" ("occurred_at")`,
  `CREATE INDEX IF NOT EXISTS "ix_${AUDIT_TABLE}_user" ON "${AUDIT_TABLE}" ("user_id", "id")`,
];
