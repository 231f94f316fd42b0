import { InitialSchema1764400000000 } from './1764400000000-InitialSchema';

/** Every migration, in order. A new migration is a new file plus one line here. */
export const MIGRATIONS = [InitialSchema1764400000000];
