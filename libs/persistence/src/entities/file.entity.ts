import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Metadata of a stored artifact; the content lives in `file_chunks`. */
@Entity({ name: 'files' })
export class FileEntity {
  @PrimaryColumn('varchar', { length: 128 }) key!: string;
  @Column('varchar', { length: 512 }) name!: string;
  @Column('varchar', { name: 'content_type', length: 255 }) contentType!: string;
  @Column('bigint') size!: string;
  @Column('uuid', { name: 'task_id', nullable: true }) taskId!: string | null;
  @Column('varchar', { name: 'creator_id', length: 64 }) creatorId!: string;
  /** False until the last chunk is written: a half-written file is never served. */
  @Column('boolean') complete!: boolean;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}

@Entity({ name: 'file_chunks' })
export class FileChunkEntity {
  @PrimaryColumn('varchar', { name: 'file_key', length: 128 }) fileKey!: string;
  @PrimaryColumn('int') seq!: number;
  @Column('bytea') data!: Buffer;
}
