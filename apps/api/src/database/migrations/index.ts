import { InitialPostgres1764300000000 } from './1764300000000-initial.postgres';
import { InitialSqlite1764300000000 } from './1764300000000-initial.sqlite';
import { ApiTokensPostgres1764600000000 } from './1764600000000-api-tokens.postgres';
import { ApiTokensSqlite1764600000000 } from './1764600000000-api-tokens.sqlite';
import { AgentsPostgres1764700000000 } from './1764700000000-agents.postgres';
import { AgentsSqlite1764700000000 } from './1764700000000-agents.sqlite';
import { AuditPostgres1764400000000 } from './1764400000000-audit.postgres';
import { AuditSqlite1764400000000 } from './1764400000000-audit.sqlite';
import { HistoryPostgres1764500000000 } from './1764500000000-history.postgres';
import { HistorySqlite1764500000000 } from './1764500000000-history.sqlite';
import { JobLeasesPostgres1764760000000 } from './1764760000000-job-leases.postgres';
import { JobLeasesSqlite1764760000000 } from './1764760000000-job-leases.sqlite';
import { HistoryCoveringPostgres1764500200000 } from './1764500200000-history-covering.postgres';
import { SettingsPostgres1764500100000 } from './1764500100000-settings.postgres';
import { SettingsSqlite1764500100000 } from './1764500100000-settings.sqlite';
import { AlertsPostgres1764740000000 } from './1764740000000-alerts.postgres';
import { AlertsSqlite1764740000000 } from './1764740000000-alerts.sqlite';
import { UserProvidersPostgres1764730000000 } from './1764730000000-user-providers.postgres';
import { UserProvidersSqlite1764730000000 } from './1764730000000-user-providers.sqlite';
import { AgentIngestPostgres1764710000000 } from './1764710000000-agent-ingest.postgres';
import { AgentIngestSqlite1764710000000 } from './1764710000000-agent-ingest.sqlite';
import { LogsPostgres1764750000000 } from './1764750000000-logs.postgres';
import { LogsSqlite1764750000000 } from './1764750000000-logs.sqlite';
import { LogIngestPostgres1764771000000 } from './1764771000000-log-ingest.postgres';
import { LogIngestSqlite1764771000000 } from './1764771000000-log-ingest.sqlite';
import { AlertPendingPostgres1764781100000 } from './1764781100000-alert-pending.postgres';
import { AlertPendingSqlite1764781100000 } from './1764781100000-alert-pending.sqlite';
import { LogFtsMergeSqlite1764791000000 } from './1764791000000-log-fts-merge.sqlite';

// One ordered list per database. A schema change adds a migration to both; the migration check
// (database.spec.ts) fails if either set drifts from the entities. `npm run db:diff` prints the
// statements a new migration needs.
export const SQLITE_MIGRATIONS = [
  InitialSqlite1764300000000,
  AuditSqlite1764400000000,
  HistorySqlite1764500000000,
  SettingsSqlite1764500100000,
  ApiTokensSqlite1764600000000,
  AlertsSqlite1764740000000,
  UserProvidersSqlite1764730000000,
  JobLeasesSqlite1764760000000,
  AgentsSqlite1764700000000,
  AgentIngestSqlite1764710000000,
  LogsSqlite1764750000000,
  LogIngestSqlite1764771000000,
  AlertPendingSqlite1764781100000,
  // SQLite only: FTS5's merge settings (PostgreSQL's GIN index has no counterpart to change).
  LogFtsMergeSqlite1764791000000,
];
export const POSTGRES_MIGRATIONS = [
  InitialPostgres1764300000000,
  AuditPostgres1764400000000,
  HistoryPostgres1764500000000,
  SettingsPostgres1764500100000,
  // PostgreSQL only: covering indexes SQLite does not need (history.entities.ts says why).
  HistoryCoveringPostgres1764500200000,
  ApiTokensPostgres1764600000000,
  AlertsPostgres1764740000000,
  UserProvidersPostgres1764730000000,
  JobLeasesPostgres1764760000000,
  AgentsPostgres1764700000000,
  AgentIngestPostgres1764710000000,
  LogsPostgres1764750000000,
  LogIngestPostgres1764771000000,
  AlertPendingPostgres1764781100000,
];
