// DATETIME(3) values as hand-written SQL writes and reads them, on MySQL/MariaDB and on SQLite.

/** UTC `YYYY-MM-DD HH:MM:SS.mmm`: what DATETIME(3) and SQLite's text dates (TypeORM's format) both take and compare. */
export function formatSqlTime(time: number | Date): string {
  return new Date(time).toISOString().slice(0, 23).replace('T', ' ');
}

/** A DATETIME read back: a Date (mysql2) or a UTC string (SQLite). */
export function parseSqlTime(value: unknown): Date {
  if (value instanceof Date) return value;
  return new Date(`${String(value).replace(' ', 'T')}Z`);
}
