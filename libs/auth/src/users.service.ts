import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { Logger } from '@taskyard/observability';
import { UnknownRoleError, UsernameTakenError } from './auth.errors';
import { AUTH_OPTIONS, type AuthModuleOptions } from './auth.options';
import { PERMISSION_NAMES, type Permission } from '@taskyard/contracts';
import type { AuthUser, PermissionDto, RoleDto, UserDto } from './auth.types';
import { hashPassword } from './password';

export interface UserListQuery {
  page: number;
  pageSize: number;
  keywords?: string;
  status?: 'active' | 'disabled';
}

export interface NewUser {
  username: string;
  password: string;
  email?: string | null;
  fullName?: string | null;
  roleIds: string[];
}

/** A roles row (also as `json_build_object` gives it, with timestamps as text). */
interface RoleRow {
  id: string;
  name: string;
  description: string;
  permissions: string[];
  role_type: string;
  created_at: Date | string;
  updated_at: Date | string;
}

interface UserRow {
  id: string;
  username: string;
  email: string | null;
  full_name: string | null;
  status: 'active' | 'disabled';
  last_login: Date | null;
  password_changed_at: Date;
  created_at: Date;
  updated_at: Date;
  roles: RoleRow[];
  password_hash?: string;
}

const ROLE_FIELDS = `'id', r.id, 'name', r.name, 'description', r.description, 'permissions', r.permissions, 'role_type', r.role_type, 'created_at', r.created_at, 'updated_at', r.updated_at`;
const USER_SELECT = `
  SELECT u.id, u.username, u.email, u.full_name, u.status, u.last_login, u.password_changed_at, u.created_at, u.updated_at,
         coalesce(json_agg(json_build_object(${ROLE_FIELDS}) ORDER BY r.id) FILTER (WHERE r.id IS NOT NULL), '[]') AS roles`;
const USER_FROM = `FROM users u LEFT JOIN user_roles ur ON ur.user_id = u.id LEFT JOIN roles r ON r.id = ur.role_id`;

/** `%`, `_` and `\` are literal in a user's search text. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const iso = (d: Date | string): string => new Date(d).toISOString();

/** A permission code as EZ-Console's permission object; it dates from the role granting it. */
function toPermissionDto(code: string, role: RoleRow): PermissionDto {
  return {
    id: code,
    code,
    name: PERMISSION_NAMES[code as Permission] ?? code,
    description: '',
    org_permission: false,
    created_at: iso(role.created_at),
    updated_at: iso(role.updated_at),
  };
}

function toRoleDto(r: RoleRow): RoleDto {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    permissions: r.permissions.map((code) => toPermissionDto(code, r)),
    role_type: r.role_type,
    policy_document: { Statement: [] },
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

function toUserDto(r: UserRow): UserDto {
  const dto: UserDto = {
    id: r.id,
    username: r.username,
    email: r.email ?? '',
    full_name: r.full_name ?? '',
    status: r.status,
    roles: r.roles.map(toRoleDto),
    source: 'local',
    mfa_enabled: false,
    mfa_enforced: false,
    disable_change_password: true,
    password_changed_at: r.password_changed_at.toISOString(),
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
  if (r.last_login) dto.last_login = r.last_login.toISOString();
  return dto;
}

export function toAuthUser(r: UserDto): AuthUser {
  return { ...r, permissions: [...new Set(r.roles.flatMap((role) => role.permissions.map((p) => p.code)))].sort() };
}

/** Users and roles: lookups for authentication, the users list, creation and the bootstrap admin. */
@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger('users');

  constructor(
    private readonly dataSource: DataSource,
    @Inject(AUTH_OPTIONS) private readonly options: AuthModuleOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.bootstrapAdmin();
  }

  /** An active user with roles and permissions, or null. */
  async findActive(id: string): Promise<AuthUser | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows: UserRow[] = await this.dataSource.query(`${USER_SELECT} ${USER_FROM} WHERE u.id = $1 AND u.status = 'active' GROUP BY u.id`, [id]);
    return rows[0] ? toAuthUser(toUserDto(rows[0])) : null;
  }

  /** The active users among `ids` (with roles and permissions), by id; disabled or deleted ones are absent. */
  async findActiveMany(ids: string[]): Promise<Map<string, AuthUser>> {
    const valid = [...new Set(ids)].filter((id) => /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(id));
    if (valid.length === 0) return new Map();
    const rows: UserRow[] = await this.dataSource.query(`${USER_SELECT} ${USER_FROM} WHERE u.id = ANY($1::uuid[]) AND u.status = 'active' GROUP BY u.id`, [valid]);
    return new Map(rows.map((r) => [r.id, toAuthUser(toUserDto(r))]));
  }

  /** The user and password hash for a login attempt (case-insensitive username). */
  async findForLogin(username: string): Promise<{ user: AuthUser; passwordHash: string } | null> {
    const rows: UserRow[] = await this.dataSource.query(
      `${USER_SELECT}, u.password_hash ${USER_FROM} WHERE lower(u.username) = lower($1) AND u.status = 'active' GROUP BY u.id`,
      [username],
    );
    const row = rows[0];
    return row?.password_hash ? { user: toAuthUser(toUserDto(row)), passwordHash: row.password_hash } : null;
  }

  async list(q: UserListQuery): Promise<{ items: UserDto[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.keywords) {
      params.push(likePattern(q.keywords));
      where.push(`(u.username ILIKE $${params.length} OR u.email ILIKE $${params.length} OR u.full_name ILIKE $${params.length})`);
    }
    if (q.status) {
      params.push(q.status);
      where.push(`u.status = $${params.length}`);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }]: { total: string }[] = await this.dataSource.query(`SELECT count(*) AS total FROM users u ${clause}`, params);
    const rows: UserRow[] = await this.dataSource.query(
      `${USER_SELECT} ${USER_FROM} ${clause} GROUP BY u.id ORDER BY u.created_at DESC, u.id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.pageSize, (q.page - 1) * q.pageSize],
    );
    return { items: rows.map(toUserDto), total: Number(total) };
  }

  /** Usernames by user id, for the ids that are users (a task's creator may be `system`). */
  async usernames(ids: string[]): Promise<Map<string, string>> {
    const userIds = [...new Set(ids.filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)))];
    if (userIds.length === 0) return new Map();
    const rows: { id: string; username: string }[] = await this.dataSource.query(`SELECT id, username FROM users WHERE id = ANY($1::uuid[])`, [userIds]);
    return new Map(rows.map((r) => [r.id, r.username]));
  }

  async roles(): Promise<RoleDto[]> {
    const rows: RoleRow[] = await this.dataSource.query(`SELECT id, name, description, permissions, role_type, created_at, updated_at FROM roles ORDER BY id`);
    return rows.map(toRoleDto);
  }

  /** Records a successful login; returns the user as of that login. */
  async recordLogin(user: AuthUser): Promise<AuthUser> {
    const at = new Date();
    await this.dataSource.query(`UPDATE users SET last_login = $2 WHERE id = $1`, [user.id, at]);
    return { ...user, last_login: at.toISOString() };
  }

  async create(input: NewUser, manager?: EntityManager): Promise<UserDto> {
    const passwordHash = await hashPassword(input.password);
    const run = async (m: EntityManager): Promise<UserDto> => {
      const roleIds = [...new Set(input.roleIds)];
      if (roleIds.length) {
        const known: { id: string }[] = await m.query(`SELECT id FROM roles WHERE id = ANY($1::varchar[])`, [roleIds]);
        const missing = roleIds.filter((id) => !known.some((k) => k.id === id));
        if (missing.length) throw new UnknownRoleError(missing);
      }
      const id = randomUUID();
      const inserted: unknown[] = await m.query(
        `INSERT INTO users (id, username, password_hash, email, full_name) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT ((lower(username))) DO NOTHING RETURNING id`,
        [id, input.username, passwordHash, input.email ?? null, input.fullName ?? null],
      );
      if (inserted.length === 0) throw new UsernameTakenError(input.username);
      if (roleIds.length) await m.query(`INSERT INTO user_roles (user_id, role_id) SELECT $1, unnest($2::varchar[])`, [id, roleIds]);
      const rows: UserRow[] = await m.query(`${USER_SELECT} ${USER_FROM} WHERE u.id = $1 GROUP BY u.id`, [id]);
      return toUserDto(rows[0]);
    };
    return manager ? run(manager) : this.dataSource.transaction(run);
  }

  /**
   * Creates the admin user when the users table is empty. An advisory lock makes concurrent
   * API replicas create it once.
   */
  async bootstrapAdmin(): Promise<void> {
    const generated = this.options.admin.password ? undefined : randomBytes(12).toString('base64url');
    const created = await this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('taskyard:bootstrap-admin'))`);
      const [{ exists }]: { exists: boolean }[] = await m.query(`SELECT EXISTS (SELECT 1 FROM users) AS exists`);
      if (exists) return false;
      await this.create({ username: this.options.admin.username, password: this.options.admin.password ?? generated ?? '', roleIds: ['admin'] }, m);
      return true;
    });
    if (!created) return;
    if (generated) this.logger.announce(`bootstrap admin "${this.options.admin.username}" created; generated password (shown once): ${generated}`);
    else this.logger.announce(`bootstrap admin "${this.options.admin.username}" created`);
  }
}
