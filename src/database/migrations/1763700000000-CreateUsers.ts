import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identifiers (appid, openid, unionid) use utf8mb4_bin: openids are case-sensitive, and a
 * case-insensitive collation would merge two users whose openids differ only in case.
 * Text columns use utf8mb4_unicode_ci so 4-byte emoji are stored byte-exact.
 */
export class CreateUsers1763700000000 implements MigrationInterface {
  name = 'CreateUsers1763700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE \`users\` (
        \`id\` int unsigned NOT NULL AUTO_INCREMENT,
        \`appid\` varchar(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
        \`openid\` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
        \`unionid\` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
        \`nickname\` varchar(32) NULL,
        \`avatar_url\` varchar(512) NULL,
        \`gender\` tinyint unsigned NOT NULL DEFAULT 0,
        \`phone_number\` varchar(32) NULL,
        \`pure_phone_number\` varchar(32) NULL,
        \`country_code\` varchar(8) NULL,
        \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        \`last_login_at\` datetime(3) NULL,
        PRIMARY KEY (\`id\`),
        UNIQUE KEY \`uq_users_appid_openid\` (\`appid\`, \`openid\`),
        KEY \`ix_users_unionid\` (\`unionid\`)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE `users`');
  }
}
