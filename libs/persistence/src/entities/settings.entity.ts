import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'task_settings' })
export class TaskSettingEntity {
  @PrimaryColumn('varchar', { length: 128 }) key!: string;
  @Column('text') value!: string;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

/** Persisted state of a code-defined scheduled job. */
@Entity({ name: 'scheduled_jobs' })
export class ScheduledJobStateEntity {
  @PrimaryColumn('varchar', { length: 128 }) id!: string;
  @Column('boolean') enabled!: boolean;
  @Column('timestamptz', { name: 'last_run', nullable: true }) lastRun!: Date | null;
  @Column('timestamptz', { name: 'next_run', nullable: true }) nextRun!: Date | null;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
