import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { isValidFileKey, PgFileStore, type StoredFile } from '@taskyard/files';
import { AUTH_OPTIONS, UnauthenticatedError, type AuthModuleOptions, type AuthUser } from '@taskyard/auth';
import { TaskNotFoundError, TaskService, type TaskRecord } from '@taskyard/tasks';
import { API_CONFIG } from '../tokens';
import type { ApiConfig } from '../api.config';
import { canViewTask } from '../tasks/task-access.service';
import { FileNotFoundError, InvalidSignatureError } from './files.errors';

/**
 * `GET /api/files/:key?method=sign`: EZ-Console's `{signature, expires}` (unix seconds), from
 * which its pages build `?signature=&expires=`; `url` is that URL ready made.
 */
export interface SignedUrlDto {
  signature: string;
  expires: number;
  url: string;
}

/**
 * Artifact downloads: the permission check comes first (the file's task must be visible to
 * the caller), then the file is looked up by key, never by path. Signed URLs carry
 * `HMAC-SHA256(secret, "<key>\n<expires>")` and work without a token until they expire.
 */
@Injectable()
export class FilesService {
  constructor(
    private readonly files: PgFileStore,
    private readonly tasks: TaskService,
    @Inject(AUTH_OPTIONS) private readonly auth: AuthModuleOptions,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /**
   * The file a download request may read: by signed URL when it carries `signature`/`expires`
   * (403 if forged or expired), else by the caller's token (401 without one).
   */
  async forDownload(user: AuthUser | undefined, key: string, signed: { signature?: string; expires?: string }): Promise<StoredFile> {
    if (signed.signature !== undefined || signed.expires !== undefined) return this.verifySigned(key, signed.signature ?? '', signed.expires ?? '');
    if (!user) throw new UnauthenticatedError('authentication required');
    return this.authorize(user, key);
  }

  /** The file if `user` may download it; "not found" otherwise (no existence leak). */
  async authorize(user: AuthUser, key: string): Promise<StoredFile> {
    const file = await this.find(key);
    if (file.taskId) {
      const task = await this.taskOf(file.taskId);
      if (!task || task.deletedAt || !canViewTask(user, task.creatorId)) throw new FileNotFoundError();
    } else if (file.creatorId !== user.id) {
      throw new FileNotFoundError();
    }
    return file;
  }

  async sign(user: AuthUser, key: string): Promise<SignedUrlDto> {
    await this.authorize(user, key);
    const expires = Math.floor(Date.now() / 1000) + this.config.FILE_URL_TTL_SECONDS;
    const signature = this.signature(key, expires);
    return { signature, expires, url: `/api/files/${encodeURIComponent(key)}?signature=${signature}&expires=${expires}` };
  }

  /** The file a signed URL points at; 403 for a forged or expired signature. */
  async verifySigned(key: string, signature: string, expires: string): Promise<StoredFile> {
    const exp = /^\d{1,12}$/.test(expires) ? Number(expires) : NaN;
    const given = Buffer.from(signature, 'base64url');
    const expected = Number.isFinite(exp) ? Buffer.from(this.signature(key, exp), 'base64url') : Buffer.alloc(0);
    if (expected.length === 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InvalidSignatureError('invalid file signature');
    if (exp < Date.now() / 1000) throw new InvalidSignatureError('file signature expired');
    const file = await this.find(key);
    if (file.taskId) {
      const task = await this.taskOf(file.taskId);
      if (!task || task.deletedAt) throw new FileNotFoundError();
    }
    return file;
  }

  open(key: string): Readable {
    return this.files.open(key);
  }

  private taskOf(id: string): Promise<TaskRecord | null> {
    return this.tasks.getTask(id).catch((err: unknown) => {
      if (err instanceof TaskNotFoundError) return null;
      throw err;
    });
  }

  private async find(key: string): Promise<StoredFile> {
    if (!isValidFileKey(key)) throw new FileNotFoundError();
    const file = await this.files.stat(key);
    if (!file) throw new FileNotFoundError();
    return file;
  }

  private signature(key: string, expires: number): string {
    return createHmac('sha256', this.auth.jwtSecret).update(`file:${key}\n${expires}`).digest('base64url');
  }
}

/** `attachment` with an ASCII fallback and the exact UTF-8 name (RFC 6266 / 5987). */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
