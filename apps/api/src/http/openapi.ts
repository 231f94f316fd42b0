import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { TASK_CATEGORIES, TASK_STATUSES } from '@taskyard/contracts';

/*
 * Response schemas of the routes shared with EZ-Console, in its representation: optional
 * fields are absent when empty (never null), payload and result are JSON text.
 */

const str = (description?: string): SchemaObject => ({ type: 'string', ...(description ? { description } : {}) });
const time = (description?: string): SchemaObject => ({ type: 'string', format: 'date-time', ...(description ? { description } : {}) });
const int: SchemaObject = { type: 'integer' };

export const TASK_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'type', 'status', 'progress', 'creator_id', 'category', 'retry_count', 'auto_retry_count', 'max_retries', 'priority', 'cancel_requested', 'created_at', 'updated_at'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    type: str(),
    status: { type: 'string', enum: [...TASK_STATUSES] },
    progress: { type: 'integer', minimum: 0, maximum: 100 },
    progress_message: str('absent when empty'),
    payload: str('JSON text of the task input; absent when none'),
    result: str("JSON text of the runner's return value; absent until it returned one"),
    error: str('absent unless failed or cancelled with a reason'),
    creator_id: str(),
    category: { type: 'string', enum: [...TASK_CATEGORIES] },
    cron_schedule_id: str('set when a schedule created the task'),
    artifact_file_key: str(),
    artifact_file_name: str(),
    retry_count: int,
    auto_retry_count: int,
    max_retries: int,
    priority: int,
    not_before: time(),
    not_after: time(),
    cancel_requested: { type: 'boolean' },
    created_at: time(),
    updated_at: time(),
    started_at: time(),
    finished_at: time(),
  },
};

export const MESSAGE_SCHEMA: SchemaObject = { type: 'object', required: ['message'], properties: { message: str() } };

export const TASK_LOG_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'task_id', 'level', 'message', 'created_at', 'updated_at'],
  properties: { id: str(), task_id: str(), level: str(), message: str(), created_at: time(), updated_at: time('equal to created_at: lines never change') },
};

export const SCHEDULE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'name', 'spec', 'description', 'task_type', 'enabled'],
  properties: { id: str(), name: str(), spec: str(), description: str(), task_type: str(), enabled: { type: 'boolean' }, next_run: time('absent while disabled'), last_run: time('absent until the first run') },
};

export const SETTING_FIELD_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['key', 'value_type', 'default_value'],
  properties: { key: str(), value_type: { type: 'string', enum: ['int', 'bool', 'string'] }, default_value: str('the default as text; value_type says how to read it') },
};

export const SIGNED_URL_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['signature', 'expires', 'url'],
  properties: { signature: str(), expires: { type: 'integer', description: 'unix seconds' }, url: str('/api/files/<key>?signature=&expires=') },
};

const allOf = (...schemas: SchemaObject[]): SchemaObject => ({ allOf: schemas });

/** `{code, data, trace_id}` around `data`. */
export const ApiData = (data: SchemaObject, description?: string) =>
  applyDecorators(ApiOkResponse({ description, schema: { type: 'object', required: ['code', 'data'], properties: { code: { type: 'string', example: '0' }, data, trace_id: str() } } }));

/** The list envelope around items of `item`. */
export const ApiList = (item: SchemaObject) =>
  applyDecorators(
    ApiOkResponse({
      schema: { type: 'object', required: ['code', 'data', 'total', 'current', 'page_size'], properties: { code: { type: 'string', example: '0' }, data: { type: 'array', items: item }, total: int, current: int, page_size: int, trace_id: str() } },
    }),
  );

export const withMessage = (schema: SchemaObject): SchemaObject => allOf(schema, MESSAGE_SCHEMA);
