import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { Permission, type ActionMessage, type LogStorageBackendDto, type TaskSettingFieldDto } from '@taskyard/contracts';
import { RequirePermissions } from '@taskyard/auth';
import { ApiData, SETTING_FIELD_SCHEMA } from '../http/openapi';
import { TaskSettingsHttpService, type TaskSettingsMap } from './task-settings-http.service';

@ApiTags('settings')
@ApiBearerAuth()
@Controller('api/system/task-settings')
export class TaskSettingsController {
  constructor(private readonly settings: TaskSettingsHttpService) {}

  @Get()
  @RequirePermissions(Permission.SettingsView)
  get(): TaskSettingsMap {
    return this.settings.get();
  }

  /** A flat map of settings to change; validated as a whole by the settings registry. */
  @Put()
  @ApiData({ type: 'object', required: ['message', 'settings'], properties: { message: { type: 'string' }, settings: { type: 'object', additionalProperties: true } } })
  @RequirePermissions(Permission.SettingsUpdate)
  @ApiBody({ schema: { type: 'object', additionalProperties: { oneOf: [{ type: 'integer' }, { type: 'boolean' }, { type: 'string' }] } } })
  async update(@Body() body: unknown): Promise<ActionMessage & { settings: TaskSettingsMap }> {
    return { message: 'task settings updated', settings: await this.settings.update(body) };
  }

  @Get('fields')
  @ApiData({ type: 'array', items: SETTING_FIELD_SCHEMA })
  @RequirePermissions(Permission.SettingsView)
  fields(): TaskSettingFieldDto[] {
    return this.settings.fields();
  }

  @Get('log-storage-backends')
  @RequirePermissions(Permission.SettingsView)
  backends(): LogStorageBackendDto[] {
    return this.settings.logStorageBackends();
  }
}
