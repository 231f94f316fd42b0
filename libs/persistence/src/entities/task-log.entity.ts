import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { TaskLogLevel } from '@taskyard/contracts';

@Entity({ name: 'task_logs' })
export class TaskLogEntity {
  /** bigint ids are returned as strings by pg; they order lines and drive `after=` tailing. */
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('uuid', { name: 'task_id' }) taskId!: string;
  @Column('varchar', { length: 8 }) level!: TaskLogLevel;
  @Column('text') message!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}
