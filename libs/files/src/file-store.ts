import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Pool } from 'pg';

export interface StoredFile {
  key: string;
  name: string;
  contentType: string;
  size: number;
  taskId: string | null;
  creatorId: string;
  createdAt: Date;
}

export interface SaveFileOptions {
  name: string;
  contentType?: string;
  taskId?: string | null;
  creatorId: string;
}

export type FileContent = Buffer | string | Readable | AsyncIterable<Buffer | string>;

/** Artifact storage. The default keeps content in PostgreSQL so every node can serve it. */
export interface FileStore {
  save(content: FileContent, options: SaveFileOptions): Promise<StoredFile>;
  stat(key: string): Promise<StoredFile | null>;
  /** Streams the content chunk by chunk; never buffers the whole file. */
  open(key: string): Readable;
  delete(keys: string[]): Promise<void>;
}

const CHUNK_BYTES = 256 * 1024;
const KEY_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

export function isValidFileKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/** Unguessable file key (also never a path: it cannot contain `/` or `.`). */
export function newFileKey(): string {
  return randomBytes(24).toString('base64url');
}

async function* chunks(content: FileContent): AsyncGenerator<Buffer> {
  if (typeof content === 'string' || Buffer.isBuffer(content)) {
    const buf = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    for (let i = 0; i < buf.length; i += CHUNK_BYTES) yield buf.subarray(i, i + CHUNK_BYTES);
    return;
  }
  let pending: Buffer[] = [];
  let size = 0;
  for await (const piece of content as AsyncIterable<Buffer | string>) {
    const buf = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
    pending.push(buf);
    size += buf.length;
    while (size >= CHUNK_BYTES) {
      const all = Buffer.concat(pending);
      yield all.subarray(0, CHUNK_BYTES);
      const rest = all.subarray(CHUNK_BYTES);
      pending = rest.length ? [rest] : [];
      size = rest.length;
    }
  }
  if (size > 0) yield Buffer.concat(pending);
}

/** Runs one idempotent write, retrying it while the database is unavailable (the caller's policy). */
export type WriteRetry = <T>(write: () => Promise<T>) => Promise<T>;

/**
 * PostgreSQL-backed file store: metadata in `files`, content in 256 KiB rows of
 * `file_chunks`. A file is visible only once complete. Each statement of a save is
 * idempotent and goes through `retry`, so a database restart in the middle of a save resumes
 * it at the chunk it reached (the content, possibly a stream, is read once).
 */
export class PgFileStore implements FileStore {
  constructor(
    private readonly pool: Pool,
    private readonly retry: WriteRetry = (write) => write(),
  ) {}

  async save(content: FileContent, options: SaveFileOptions): Promise<StoredFile> {
    const key = newFileKey();
    const contentType = options.contentType ?? 'application/octet-stream';
    await this.retry(() =>
      this.pool.query(
        `INSERT INTO files (key, name, content_type, size, task_id, creator_id, complete) VALUES ($1, $2, $3, 0, $4, $5, false)
         ON CONFLICT (key) DO NOTHING`,
        [key, options.name, contentType, options.taskId ?? null, options.creatorId],
      ),
    );
    let size = 0;
    let seq = 0;
    try {
      for await (const chunk of chunks(content)) {
        const n = seq++;
        await this.retry(() => this.pool.query(`INSERT INTO file_chunks (file_key, seq, data) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [key, n, chunk]));
        size += chunk.length;
      }
      const { rows } = await this.retry(() =>
        this.pool.query<{ created_at: Date }>(`UPDATE files SET size = $2, complete = true WHERE key = $1 RETURNING created_at`, [key, size]),
      );
      return { key, name: options.name, contentType, size, taskId: options.taskId ?? null, creatorId: options.creatorId, createdAt: rows[0].created_at };
    } catch (err) {
      await this.pool.query(`DELETE FROM files WHERE key = $1`, [key]).catch(() => undefined);
      throw err;
    }
  }

  async stat(key: string): Promise<StoredFile | null> {
    if (!isValidFileKey(key)) return null;
    const { rows } = await this.pool.query(
      `SELECT key, name, content_type, size, task_id, creator_id, created_at FROM files WHERE key = $1 AND complete`,
      [key],
    );
    const r = rows[0] as Record<string, unknown> | undefined;
    if (!r) return null;
    return {
      key: r.key as string,
      name: r.name as string,
      contentType: r.content_type as string,
      size: Number(r.size),
      taskId: (r.task_id as string | null) ?? null,
      creatorId: r.creator_id as string,
      createdAt: r.created_at as Date,
    };
  }

  open(key: string): Readable {
    const pool = this.pool;
    async function* read(): AsyncGenerator<Buffer> {
      for (let seq = 0; ; seq++) {
        const { rows } = await pool.query<{ data: Buffer }>(`SELECT data FROM file_chunks WHERE file_key = $1 AND seq = $2`, [key, seq]);
        if (rows.length === 0) return;
        yield rows[0].data;
      }
    }
    return Readable.from(read());
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.pool.query(`DELETE FROM files WHERE key = ANY($1::varchar[])`, [keys]);
  }
}
