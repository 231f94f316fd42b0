import { CommonConfig, loadConfig } from '@taskyard/config';
import { Logger } from '@taskyard/observability';
import { migrate } from '../data-source.factory';

const logger = new Logger('migrate');

async function main(): Promise<void> {
  const config = loadConfig(CommonConfig, process.env);
  const ran = await migrate({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA });
  logger.info(ran.length ? 'migrations applied' : 'database is up to date', { migrations: ran });
}

main().catch((err: unknown) => {
  logger.error('migration failed', { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
