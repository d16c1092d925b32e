/**
 * The one seam between the repositories and a database driver. Repositories write SQL with `?`
 * placeholders in the subset both engines speak; the few places where the dialects differ ask the client
 * for a fragment (`now()`, `nowPlusSeconds()`, `skipLocked`). Nothing outside src/storage sees it.
 */
export type Dialect = 'sqlite' | 'postgres';

export type Params = readonly unknown[];

export interface SqlRunner {
  /** Rows of a SELECT (or of `RETURNING`). */
  all<T>(sql: string, params?: Params): Promise<T[]>;
  /** The first row, or undefined. */
  get<T>(sql: string, params?: Params): Promise<T | undefined>;
  /** An INSERT, UPDATE or DELETE; how many rows it changed. */
  run(sql: string, params?: Params): Promise<number>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface SqlClient extends SqlRunner {
  readonly dialect: Dialect;
  /** What the errors and `daybreak db` name: the SQLite file, or the PostgreSQL URL without its password. */
  readonly name: string;
  /**
   * Runs `fn` in one write transaction: on SQLite begun IMMEDIATE (the write lock up front, waited for
   * without blocking the event loop), on PostgreSQL READ COMMITTED with row locks. Rolled back when `fn`
   * throws. Transactions on one client run one at a time.
   */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
  /** The database's own clock as an ISO 8601 UTC text expression (comparable with stored times). */
  now(): string;
  /** The database's clock plus `seconds` (a `?` parameter that the caller passes). */
  nowPlusSeconds(): string;
  /** `FOR UPDATE SKIP LOCKED` on PostgreSQL; nothing on SQLite, where the write lock covers the table. */
  readonly skipLocked: string;
  close(): Promise<void>;
}
