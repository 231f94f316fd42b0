import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of a Swagger 2.0 schema that EZ-Console's document uses. */
export interface Schema {
  $ref?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema | boolean;
  items?: Schema;
  allOf?: Schema[];
  enum?: unknown[];
}

interface SwaggerDoc {
  swagger: string;
  paths: Record<string, Record<string, { responses?: Record<string, { schema?: Schema }> }>>;
  definitions: Record<string, Schema>;
}

/**
 * Fields EZ-Console's server leaves out when empty (Go `omitempty` on strings, pointers and
 * slices), per definition. Its document lists every field as required (swaggo marks them all);
 * these are the exceptions, read from the `json` tags of its models at the same commit. A
 * field present but `null` is still an error: EZ-Console never sends one.
 */
const OMITTED_WHEN_EMPTY: Record<string, readonly string[]> = {
  'util.ErrorResponse': ['message', 'trace_id'],
  'model.Task': ['result', 'error', 'artifact_file_key', 'artifact_file_name', 'started_at', 'finished_at', 'payload', 'cron_schedule_id', 'not_before', 'not_after'],
  'model.TaskLog': ['level'],
  'service.ScheduledJobState': ['next_run', 'last_run'],
  'service.LoginResponse': ['token', 'mfa_token', 'mfa_type'],
  'model.User': ['phone', 'avatar', 'mfa_type', 'oauth_provider', 'oauth_id', 'ldap_dn', 'roles', 'source', 'organizations'],
  'model.Role': ['ai_tool_permissions', 'organization_id', 'organization'],
  'model.StatementEntry': ['Resource', 'Condition'],
  'service.SiteConfig': ['navigation', 'menu', 'attrs'],
  'service.Chart': ['labels', 'datasets'],
  'service.Dataset': ['color'],
};

/** `util.Response-*` envelopes omit an empty `err` and `trace_id`; list envelopes an empty `trace_id`. */
function omittable(definition: string): readonly string[] {
  if (definition.startsWith('util.Response-') || definition === 'systemapi.TaskSettingResponse') return ['err', 'trace_id'];
  if (definition.startsWith('util.PaginationResponse-')) return ['trace_id'];
  return OMITTED_WHEN_EMPTY[definition] ?? [];
}

const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Validates response bodies against the response schemas of a Swagger 2.0 document. */
export class SwaggerContract {
  private readonly doc: SwaggerDoc;

  constructor(file: string) {
    this.doc = JSON.parse(readFileSync(file, 'utf8')) as SwaggerDoc;
    if (this.doc.swagger !== '2.0') throw new Error(`${file} is not a Swagger 2.0 document`);
  }

  /**
   * The schema of `method path` for `status`. EZ-Console's document declares a few error
   * statuses per route (mostly 500); every error body of its server is `util.ErrorResponse`,
   * so an undeclared error status is checked against that.
   */
  responseSchema(method: string, path: string, status: number): Schema {
    const operation = this.doc.paths[path]?.[method.toLowerCase()];
    if (!operation) throw new Error(`${method} ${path} is not in EZ-Console's document`);
    const declared = operation.responses?.[String(status)]?.schema;
    if (declared) return declared;
    if (status >= 400) return { $ref: '#/definitions/util.ErrorResponse' };
    throw new Error(`${method} ${path} declares no schema for ${status}`);
  }

  /** Every mismatch as `field path: problem` (empty when the body conforms). */
  validate(schema: Schema, value: unknown, at = '$'): string[] {
    return this.check(schema, value, at, undefined);
  }

  private check(schema: Schema, value: unknown, at: string, definition: string | undefined): string[] {
    if (schema.$ref) {
      const name = schema.$ref.replace('#/definitions/', '');
      const target = this.doc.definitions[name];
      if (!target) throw new Error(`unresolved $ref ${schema.$ref}`);
      return this.check(target, value, at, name);
    }
    if (schema.allOf) return schema.allOf.flatMap((s) => this.check(s, value, at, undefined));
    if (schema.enum && !schema.enum.includes(value)) return [`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`];
    switch (schema.type) {
      case undefined:
        // `{}`: any value (EZ-Console's `any`/`error` fields).
        return [];
      case 'string':
      case 'boolean':
      case 'number':
        return kind(value) === schema.type ? [] : [`${at}: expected ${schema.type}, got ${kind(value)}`];
      case 'integer':
        return Number.isInteger(value) ? [] : [`${at}: expected integer, got ${kind(value)}${typeof value === 'number' ? ` ${value}` : ''}`];
      case 'array':
        if (!Array.isArray(value)) return [`${at}: expected array, got ${kind(value)}`];
        return schema.items ? value.flatMap((item, i) => this.check(schema.items as Schema, item, `${at}[${i}]`, undefined)) : [];
      case 'object': {
        if (kind(value) !== 'object') return [`${at}: expected object, got ${kind(value)}`];
        const record = value as Record<string, unknown>;
        const optional = definition ? omittable(definition) : [];
        const errors = (schema.required ?? []).filter((f) => !(f in record) && !optional.includes(f)).map((f) => `${at}.${f}: missing`);
        for (const [field, v] of Object.entries(record)) {
          const property = schema.properties?.[field];
          if (property) errors.push(...this.check(property, v, `${at}.${field}`, undefined));
          else if (typeof schema.additionalProperties === 'object') errors.push(...this.check(schema.additionalProperties, v, `${at}.${field}`, undefined));
          // Anything else is a field Taskyard adds: allowed.
        }
        return errors;
      }
    }
  }
}

export const ezConsoleContract = (): SwaggerContract => new SwaggerContract(join(__dirname, 'ezconsole-swagger.json'));
