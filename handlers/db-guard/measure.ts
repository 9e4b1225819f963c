// One reading of the database's connection use.
export interface ConnectionSample {
  /** Client sessions running a statement right now, not counting the guard's own. */
  active: number;
  /** Client sessions connected (idle ones too), the guard's own included: each holds a slot. */
  total: number;
  /** The running server's max_connections (a pending parameter-group change is not in effect yet). */
  max: number;
  /**
   * Processes the guard's role may not inspect (pg_stat_activity then shows
   * NULL backend type and state): above 0, `active` and `total` undercount.
   */
  hidden: number;
  at: Date;
}

/** What the measurement needs from a connection: pg's Client, Pool and the shared Database all fit. */
export interface Queryable {
  query<R extends object>(text: string): Promise<{ rows: R[] }>;
}

// Only client backends use max_connections slots (background and parallel
// workers have their own limits). Seeing other roles' `state` needs
// pg_read_all_stats / pg_monitor; RDS's master user sees every session's
// state through rds_superuser.
const SAMPLE_SQL = `
SELECT count(*) FILTER (WHERE backend_type = 'client backend' AND state = 'active' AND pid <> pg_backend_pid())::int AS active,
       count(*) FILTER (WHERE backend_type = 'client backend')::int AS total,
       count(*) FILTER (WHERE backend_type IS NULL)::int AS hidden,
       current_setting('max_connections')::int AS max
  FROM pg_stat_activity`;

export async function measureConnections(db: Queryable, now: () => Date = () => new Date()): Promise<ConnectionSample> {
  const { rows } = await db.query<{ active: number; total: number; max: number; hidden: number }>(SAMPLE_SQL);
  const row = rows[0];
  if (row === undefined) throw new Error("pg_stat_activity returned no row");
  return { active: row.active, total: row.total, max: row.max, hidden: row.hidden, at: now() };
}
