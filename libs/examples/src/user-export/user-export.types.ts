/** Task type of the user export. Persisted in task rows: renaming needs a migration. */
export const USER_EXPORT_TYPE = 'user_export';

/** Payload of a `user_export` task (null: no filter). */
export type UserExportPayload = {
  keywords: string | null;
  status: 'active' | 'disabled' | null;
};

export type UserExportResult = { rows: number };
