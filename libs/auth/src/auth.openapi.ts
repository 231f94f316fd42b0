import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/* Response schemas of login and profile, as EZ-Console's `service.LoginResponse` and `model.User`. */

const str: SchemaObject = { type: 'string' };
const time: SchemaObject = { type: 'string', format: 'date-time' };
const bool: SchemaObject = { type: 'boolean' };

const PERMISSION: SchemaObject = {
  type: 'object',
  required: ['id', 'code', 'name', 'description', 'org_permission', 'created_at', 'updated_at'],
  properties: { id: str, code: { type: 'string', example: 'task:list' }, name: str, description: str, org_permission: bool, created_at: time, updated_at: time },
};

const ROLE: SchemaObject = {
  type: 'object',
  required: ['id', 'name', 'description', 'permissions', 'role_type', 'policy_document', 'created_at', 'updated_at'],
  properties: {
    id: str,
    name: { type: 'string', description: 'built-in roles: admin, operator, viewer, user' },
    description: str,
    permissions: { type: 'array', items: PERMISSION },
    role_type: { type: 'string', example: 'system' },
    policy_document: { type: 'object', properties: { Statement: { type: 'array', items: { type: 'object' } } } },
    created_at: time,
    updated_at: time,
  },
};

export const PROFILE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'username', 'email', 'full_name', 'status', 'roles', 'permissions', 'mfa_enabled', 'mfa_enforced', 'disable_change_password', 'password_changed_at', 'created_at', 'updated_at'],
  properties: {
    id: str,
    username: str,
    email: { type: 'string', description: 'empty when not set' },
    full_name: { type: 'string', description: 'empty when not set' },
    status: { type: 'string', enum: ['active', 'disabled'] },
    roles: { type: 'array', items: ROLE },
    permissions: { type: 'array', items: str, description: "the union of the roles' permission codes" },
    source: { type: 'string', enum: ['local'] },
    mfa_enabled: bool,
    mfa_enforced: bool,
    disable_change_password: { type: 'boolean', description: 'always true: Taskyard has no password change route' },
    last_login: { ...time, description: 'absent until the first login' },
    password_changed_at: time,
    created_at: time,
    updated_at: time,
  },
};

export const LOGIN_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['token', 'expires_at', 'needs_mfa', 'password_expired', 'user'],
  properties: { token: str, expires_at: time, needs_mfa: bool, password_expired: bool, user: PROFILE_SCHEMA },
};

export const okEnvelope = (data: SchemaObject): SchemaObject => ({ type: 'object', required: ['code', 'data'], properties: { code: { type: 'string', example: '0' }, data, trace_id: str } });
