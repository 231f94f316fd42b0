import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

/** Thrown at boot when the environment does not describe a valid configuration. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

function describe(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => `${path}: ${m} (got ${JSON.stringify(e.value)})`);
    return [...own, ...describe(e.children ?? [], path)];
  });
}

/**
 * Builds and validates a config object from an environment map (normally `process.env`).
 * Property names are the environment variable names; class-transformer decorators convert
 * strings to numbers and booleans; class-validator decorators validate. Fails with every
 * problem listed at once, so a bad deployment is fixed in one round.
 */
export function loadConfig<T extends object>(
  cls: new () => T,
  env: Record<string, string | undefined>,
  check?: (config: T) => string[],
): T {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const config = plainToInstance(cls, defined, { enableImplicitConversion: false, exposeDefaultValues: true });
  const problems = describe(validateSync(config, { whitelist: false, forbidUnknownValues: false }));
  problems.push(...(check?.(config) ?? []));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
