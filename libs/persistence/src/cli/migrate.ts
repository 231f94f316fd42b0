import { CommonConfig, loadConfig } from '@taskyard/config';
import { Logger } from '@taskyard/observability';
import { migrate } from '../data-source.factory';

const logger = new Logger('migrate');

async function main(): Promise<void> {
  const config = loadConfig(CommonConfig, process.env);
  let ran: string[];
  try {
    ran = await migrate({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA });
  } catch (err) {
    logger.error(`migration failed: ${migrateHint(err, config.DATABASE_URL)}`, { error: err instanceof Error ? err.message || String((err as { code?: string }).code) : String(err) });
    process.exit(1);
  }
  logger.info(ran.length ? 'migrations applied' : 'database is up to date', { migrations: ran });
}

/** What to check for the usual ways reaching PostgreSQL fails (the URL's password is never shown). */
function migrateHint(err: unknown, databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const where = `${url.hostname || '127.0.0.1'}:${url.port || 5432}`;
  const code = (err as { code?: string } | null)?.code ?? '';
  switch (code) {
    case 'ECONNREFUSED':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENOTFOUND':
      return `nothing answers at ${where}: is PostgreSQL running there (e.g. \`pg_isready -h ${url.hostname} -p ${url.port || 5432}\`), and is DATABASE_URL right?`;
    case '28P01':
    case '28000':
      return `PostgreSQL at ${where} refused the user "${decodeURIComponent(url.username) || 'postgres'}": check the user and password in DATABASE_URL and pg_hba.conf`;
    case '42501':
      return `the user "${decodeURIComponent(url.username) || 'postgres'}" may not create the database or schema: create it first, or use a user with CREATEDB`;
    case '57P03':
      return `PostgreSQL at ${where} is starting up or shutting down: try again in a moment`;
    default:
      return `check that PostgreSQL runs at ${where} and that DATABASE_URL (user, password, database) is right`;
  }
}

main().catch((err: unknown) => {
  logger.error('migration failed', { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
