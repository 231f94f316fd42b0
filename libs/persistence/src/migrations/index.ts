import { InitialSchema1764400000000 } from './1764400000000-InitialSchema';
import { ListIndexes1764800000000 } from './1764800000000-ListIndexes';
import { HotRunWrites1765000000000 } from './1765000000000-HotRunWrites';
import { ListIndexes21765100000000 } from './1765100000000-ListIndexes2';
import { SearchTable1765200000000 } from './1765200000000-SearchTable';
import { TaskAttempts1765310000000 } from './1765310000000-TaskAttempts';
import { TaskControls1765320000000 } from './1765320000000-TaskControls';
import { EzConsoleUsers1765400000000 } from './1765400000000-EzConsoleUsers';

/** Every migration, in order. A new migration is a new file plus one line here. */
export const MIGRATIONS = [
  InitialSchema1764400000000,
  ListIndexes1764800000000,
  HotRunWrites1765000000000,
  ListIndexes21765100000000,
  SearchTable1765200000000,
  TaskAttempts1765310000000,
  TaskControls1765320000000,
  EzConsoleUsers1765400000000,
];
