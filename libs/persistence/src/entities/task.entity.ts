import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { JsonValue, TaskCategory, TaskStatus } from '@taskyard/contracts';

/** A task row: the source of truth. Status is only written by the tasks lib's state machine. */
@Entity({ name: 'tasks' })
export class TaskEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('varchar', { length: 128 }) type!: string;
  @Column('varchar', { length: 128 }) queue!: string;
  @Column('varchar', { length: 16 }) status!: TaskStatus;
  @Column('smallint') progress!: number;
  @Column('text', { name: 'progress_message', nullable: true }) progressMessage!: string | null;
  @Column('jsonb', { nullable: true }) result!: JsonValue | null;
  @Column('text', { nullable: true }) error!: string | null;
  @Column('varchar', { name: 'creator_id', length: 64 }) creatorId!: string;
  @Column('varchar', { length: 16 }) category!: TaskCategory;
  @Column('varchar', { name: 'cron_schedule_id', length: 128, nullable: true }) cronScheduleId!: string | null;
  @Column('varchar', { name: 'artifact_file_key', length: 128, nullable: true }) artifactFileKey!: string | null;
  @Column('varchar', { name: 'artifact_file_name', length: 512, nullable: true }) artifactFileName!: string | null;
  @Column('int', { name: 'retry_count' }) retryCount!: number;
  @Column('int', { name: 'auto_retry_count' }) autoRetryCount!: number;
  @Column('int', { name: 'max_retries' }) maxRetries!: number;
  @Column('int') priority!: number;
  @Column('jsonb', { nullable: true }) payload!: JsonValue | null;
  @Column('timestamptz', { name: 'not_before', nullable: true }) notBefore!: Date | null;
  @Column('timestamptz', { name: 'not_after', nullable: true }) notAfter!: Date | null;
  @Column('boolean', { name: 'cancel_requested' }) cancelRequested!: boolean;
  /** Fencing token: incremented by every claim; every write of a run compares it. */
  @Column('int') attempt!: number;
  /** The attempt value carried by the job that claimed the current run (stalled take-over). */
  @Column('int', { name: 'job_gen', nullable: true }) jobGen!: number | null;
  @Column('varchar', { name: 'worker_id', length: 128, nullable: true }) workerId!: string | null;
  /** How many times a run of this task lost its worker (poison detection). */
  @Column('int') recoveries!: number;
  @Column('timestamptz', { name: 'heartbeat_at', nullable: true }) heartbeatAt!: Date | null;
  @Column('varchar', { name: 'fire_key', length: 256, nullable: true }) fireKey!: string | null;
  @Column('varchar', { name: 'idempotency_key', length: 256, nullable: true }) idempotencyKey!: string | null;
  @Column('varchar', { name: 'trace_id', length: 64, nullable: true }) traceId!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
  @Column('timestamptz', { name: 'started_at', nullable: true }) startedAt!: Date | null;
  @Column('timestamptz', { name: 'finished_at', nullable: true }) finishedAt!: Date | null;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt!: Date | null;
}
