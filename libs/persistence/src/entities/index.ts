import { FileChunkEntity, FileEntity } from './file.entity';
import { ScheduledJobStateEntity, TaskSettingEntity } from './settings.entity';
import { TaskLogEntity } from './task-log.entity';
import { TaskEntity } from './task.entity';
import { RoleEntity, UserEntity } from './user.entity';

export { FileChunkEntity, FileEntity, ScheduledJobStateEntity, TaskSettingEntity, TaskLogEntity, TaskEntity, RoleEntity, UserEntity };

export const ENTITIES = [
  TaskEntity,
  TaskLogEntity,
  FileEntity,
  FileChunkEntity,
  TaskSettingEntity,
  ScheduledJobStateEntity,
  UserEntity,
  RoleEntity,
];
