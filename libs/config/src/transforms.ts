import { Transform } from 'class-transformer';

/** Parses an integer env var; leaves a non-numeric string in place so validation reports it. */
export function ToInt(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => {
    if (typeof value !== 'string') return value;
    return /^-?\d+$/.test(value.trim()) ? Number.parseInt(value, 10) : value;
  });
}

/** Parses `true|false|1|0|yes|no`; leaves anything else in place so validation reports it. */
export function ToBool(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => {
    if (typeof value !== 'string') return value;
    const v = value.trim().toLowerCase();
    if (['true', '1', 'yes'].includes(v)) return true;
    if (['false', '0', 'no'].includes(v)) return false;
    return value;
  });
}

/** Splits a comma-separated list. */
export function ToList(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value,
  );
}
