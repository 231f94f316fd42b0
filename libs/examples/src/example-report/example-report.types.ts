/** Task type of the demo report. Persisted in task rows: renaming needs a migration. */
export const EXAMPLE_REPORT_TYPE = 'example_report';

/** Payload of an `example_report` task. */
export type ExampleReportPayload = {
  steps: number;
  step_ms: number;
  /** Step at which to fail (null: never). */
  fail_at_step: number | null;
  /** Fail only the first N attempts at that step, every start counted: automatic and manual retries (null: every attempt). */
  fail_attempts: number | null;
};

export type ExampleReportResult = { steps: number };
