// One reading of the database's connection use.
export interface ConnectionSample {
  /** Client sessions running a statement right now, not counting the guard's own. */
  active: number;
  /** Client sessions connected (idle ones too), the guard's own included: each holds a slot. */
  total: number;
  /** The running server's max_connections (a pending parameter-group change is not in effect yet). */
  max: number;
  at: Date;
}

/** What the measurement needs from a connection: pg's Client, Pool and the shared Database all fit. */
export interface Queryable {
  query<R extends object>(text: string): Promise<{ rows: R[] }>;
}

// Only client backends use max_connections slots (background and parallel
// workers have their own limits). Seeing other roles' `state` needs the
// pg_monitor role (RDS's master user has it through rds_superuser).
const SAMPLE_SQL = `
SELECT count(*) FILTER (WHERE state = 'active' AND pid <> pg_backend_pid())::int AS active,
       count(*)::int AS total,
       current_setting('max_connections')::int AS max
  FROM pg_stat_activity
 WHERE backend_type = 'client backend'`;

export async function measureConnections(db: Queryable, now: () => Date = () => new Date()): Promise<ConnectionSample> {
  const { rows } = await db.query<{ active: number; total: number; max: number }>(SAMPLE_SQL);
  const row = rows[0];
  if (row === undefined) throw new Error("pg_stat_activity returned no row");
  return { active: row.active, total: row.total, max: row.max, at: now() };
}
