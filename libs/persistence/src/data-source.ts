// Data source for the TypeORM CLI (`npx typeorm -d libs/persistence/src/data-source.ts ...`).
// Applications build theirs with createDataSource() from their validated config instead.
import { CommonConfig, loadConfig } from '@taskyard/config';
import { createDataSource } from './data-source.factory';

const config = loadConfig(CommonConfig, process.env);
export default createDataSource({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA });
