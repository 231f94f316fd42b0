import type { Pool, QueryResultRow } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

export type Row = QueryResultRow;

/** Something that runs SQL: the pool, or a caller's transaction. */
export interface SqlRunner {
  rows<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
}

/**
 * Thin access to the data source's pg pool for the hot paths (claims, completions, creates):
 * plain parameterised SQL, one round trip each, no ORM overhead.
 */
export class Db implements SqlRunner {
  readonly pool: Pool;

  constructor(readonly dataSource: DataSource) {
    this.pool = (dataSource.driver as unknown as { master: Pool }).master;
  }

  async rows<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]> {
    const res = await this.pool.query<T>(sql, params);
    return res.rows;
  }

  /** Runs SQL inside a caller's TypeORM transaction. */
  static inTransaction(manager: EntityManager): SqlRunner {
    return {
      async rows<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]> {
        const raw: unknown = await manager.query(sql, params);
        // TypeORM returns [rows, count] for UPDATE/DELETE and rows otherwise.
        if (Array.isArray(raw) && raw.length === 2 && Array.isArray(raw[0]) && typeof raw[1] === 'number') return raw[0] as T[];
        return raw as T[];
      },
    };
  }
}
