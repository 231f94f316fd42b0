import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import type { TaskRunner } from '../runner/runner.types';
import { TASK_REGISTRY } from '../tokens';
import type { TaskRegistry } from './task-registry';
import { TASK_RUNNER_METADATA, type TaskRunnerMetadata } from './task-runner.decorator';

/** Registers every provider decorated with `@TaskRunnerFor` once the module graph is built. */
@Injectable()
export class TaskRunnerExplorer implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    @Inject(TASK_REGISTRY) private readonly registry: TaskRegistry,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      const metatype = wrapper.metatype;
      if (!instance || !metatype) continue;
      const meta = this.reflector.get<TaskRunnerMetadata | undefined>(TASK_RUNNER_METADATA, metatype);
      if (!meta) continue;
      const runner = instance as TaskRunner;
      if (typeof runner.run !== 'function') throw new Error(`${metatype.name} is decorated with @TaskRunnerFor but has no run()`);
      const { type, ...options } = meta;
      this.registry.registerTaskType(type, runner, options);
    }
  }
}
