import { ReloadOutlined, SaveOutlined } from '@ant-design/icons';
import { Permission, type LogStorageBackendDto, type TaskSettingFieldDto } from '@taskyard/contracts';
import { Alert, App, Button, Card, Empty, Form, Input, InputNumber, Result, Select, Skeleton, Space, Switch, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { describeError } from '../api/client';
import { settingsApi } from '../api/endpoints';
import type { SettingValue, TaskSettingsMap } from '../api/types';
import { usePermissions } from '../auth/permissions';
import { PageHeader } from '../components/page-header';
import { humanizeKey } from '../lib/format';

const BACKEND_KEYS = ['log_storage_backend', 'task_log_storage_backend'] as const;
const SAVE_MESSAGE_KEY = 'task-settings-save';

interface ResolvedField extends TaskSettingFieldDto {
  /** Key as it appears in the settings map (always the full `task_*` key). */
  mapKey: string;
}

interface Loaded {
  settings: TaskSettingsMap;
  fields: ResolvedField[];
  backends: LogStorageBackendDto[];
  backendKey: string;
}

function resolveKey(key: string, settings: TaskSettingsMap): string {
  if (key in settings) return key;
  if (`task_${key}` in settings) return `task_${key}`;
  return key.startsWith('task_') ? key : `task_${key}`;
}

function coerce(field: TaskSettingFieldDto, value: unknown): SettingValue {
  switch (field.value_type) {
    case 'int': {
      const n = typeof value === 'number' ? value : Number(value);
      return Number.isFinite(n) ? Math.trunc(n) : Number(field.default_value);
    }
    case 'bool':
      return value === true || value === 'true';
    case 'string':
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
  }
}

/** `task_x: must be ...; task_y: ...` (the API's validation message) as field errors. */
export function fieldErrors(message: string, keys: string[]): { name: string; errors: string[] }[] {
  const found = new Map<string, string[]>();
  for (const part of message.split('; ')) {
    const colon = part.indexOf(':');
    const key = colon > 0 ? part.slice(0, colon).trim() : '';
    const target = keys.find((k) => k === key || k === `task_${key}`);
    if (target) found.set(target, [...(found.get(target) ?? []), part.slice(colon + 1).trim()]);
  }
  return [...found].map(([name, errors]) => ({ name, errors }));
}

interface SettingInputProps {
  field: ResolvedField;
  disabled: boolean;
  /** Injected by Form.Item: links the input to its label. */
  id?: string;
  /** Injected by Form.Item: `value` (or `checked` for bool) and `onChange`. */
  value?: SettingValue;
  checked?: boolean;
  onChange?: (value: SettingValue | null) => void;
}

function SettingInput({ field, disabled, id, value, checked, onChange }: SettingInputProps) {
  const testId = `setting-${field.mapKey}`;
  switch (field.value_type) {
    case 'int':
      return (
        <InputNumber<number>
          id={id}
          precision={0}
          style={{ width: 200 }}
          disabled={disabled}
          value={typeof value === 'number' ? value : null}
          onChange={(next) => onChange?.(next)}
          data-testid={testId}
        />
      );
    case 'bool':
      return <Switch id={id} disabled={disabled} checked={checked === true} onChange={(next) => onChange?.(next)} data-testid={testId} />;
    case 'string':
      return (
        <Input
          id={id}
          style={{ maxWidth: 420 }}
          disabled={disabled}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange?.(e.target.value)}
          data-testid={testId}
        />
      );
  }
}

export function TaskSettingsPage() {
  const { message } = App.useApp();
  const { can } = usePermissions();
  const canUpdate = can(Permission.SettingsUpdate);
  const [form] = Form.useForm<TaskSettingsMap>();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [dirty, setDirty] = useState(false);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const [settings, rawFields, backends] = await Promise.all([
        settingsApi.get(),
        settingsApi.fields(),
        settingsApi.logStorageBackends(),
      ]);
      const map: TaskSettingsMap = settings && typeof settings === 'object' ? settings : {};
      const backendKey = BACKEND_KEYS.find((k) => k in map) ?? 'log_storage_backend';
      const fields = (Array.isArray(rawFields) ? rawFields : [])
        .map((f) => ({ ...f, mapKey: resolveKey(f.key, map) }))
        .filter((f) => !BACKEND_KEYS.some((k) => k === f.mapKey));
      setLoaded({ settings: map, fields, backends: Array.isArray(backends) ? backends : [], backendKey });
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const initialValues = useMemo<TaskSettingsMap>(() => {
    if (!loaded) return {};
    const values: TaskSettingsMap = {};
    for (const field of loaded.fields) {
      values[field.mapKey] = coerce(field, loaded.settings[field.mapKey] ?? field.default_value);
    }
    const backend = loaded.settings[loaded.backendKey];
    values[loaded.backendKey] = typeof backend === 'string' ? backend : (loaded.backends[0]?.id ?? 'database');
    return values;
  }, [loaded]);

  useEffect(() => {
    // The form is only mounted once settings are loaded.
    if (!loaded) return;
    form.setFieldsValue(initialValues);
    setDirty(false);
  }, [form, initialValues, loaded]);

  const save = async (values: TaskSettingsMap) => {
    if (!loaded) return;
    const body: TaskSettingsMap = { [loaded.backendKey]: String(values[loaded.backendKey] ?? '') };
    for (const field of loaded.fields) body[field.mapKey] = coerce(field, values[field.mapKey]);
    setSaving(true);
    // One message slot for the outcome: a new save replaces the last "saved" instead of
    // leaving it beside an error.
    message.destroy(SAVE_MESSAGE_KEY);
    try {
      const updated = await settingsApi.update(body);
      message.success({ content: 'Task settings saved.', key: SAVE_MESSAGE_KEY });
      if (updated?.settings && typeof updated.settings === 'object') {
        setLoaded({ ...loaded, settings: { ...loaded.settings, ...updated.settings } });
      } else {
        await load();
      }
    } catch (err) {
      const errors = fieldErrors(describeError(err), [loaded.backendKey, ...loaded.fields.map((f) => f.mapKey)]);
      if (errors.length > 0) form.setFields(errors);
      else message.error({ content: describeError(err), key: SAVE_MESSAGE_KEY });
    } finally {
      setSaving(false);
    }
  };

  if (loading && !loaded) {
    return (
      <Card data-testid="settings-loading">
        <Skeleton active paragraph={{ rows: 6 }} />
      </Card>
    );
  }
  if (!loaded) {
    return (
      <Result
        status="error"
        title="Could not load task settings"
        subTitle={describeError(error)}
        extra={
          <Button type="primary" onClick={() => void load()}>
            Try again
          </Button>
        }
        data-testid="settings-error"
      />
    );
  }

  return (
    <div data-testid="task-settings-page">
      <PageHeader
        title="Task settings"
        subtitle="Applied to every worker within seconds, without a restart."
        extra={
          <Button icon={<ReloadOutlined />} onClick={() => void load()} loading={loading} data-testid="settings-reload">
            Reload
          </Button>
        }
      />
      {!canUpdate && (
        <Alert type="info" showIcon title="Read-only: you need system:settings:update to change these settings." style={{ marginBottom: 16 }} />
      )}
      {error !== null && (
        <Alert type="error" showIcon title="Could not reload the settings" description={describeError(error)} style={{ marginBottom: 16 }} />
      )}
      <Card>
        <Form<TaskSettingsMap>
          form={form}
          layout="horizontal"
          labelCol={{ flex: '260px' }}
          labelWrap
          initialValues={initialValues}
          onFinish={(values) => void save(values)}
          onValuesChange={() => setDirty(true)}
          disabled={!canUpdate || saving}
          data-testid="settings-form"
        >
          <Typography.Title level={5}>Logs</Typography.Title>
          <Form.Item
            label="Log storage backend"
            name={loaded.backendKey}
            extra={<span className="ty-mono">{loaded.backendKey}</span>}
            rules={[{ required: true, message: 'Choose where task logs are stored' }]}
          >
            <Select
              style={{ width: 260 }}
              options={loaded.backends.map((b) => ({ value: b.id, label: b.name || b.id }))}
              notFoundContent="No log storage backends registered"
              data-testid="setting-log-storage-backend"
            />
          </Form.Item>

          <Typography.Title level={5}>Task settings</Typography.Title>
          {loaded.fields.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="No task settings are registered" />
          ) : (
            loaded.fields.map((field) => (
              <Form.Item
                key={field.mapKey}
                label={humanizeKey(field.mapKey)}
                name={field.mapKey}
                valuePropName={field.value_type === 'bool' ? 'checked' : 'value'}
                extra={
                  <span>
                    <span className="ty-mono">{field.mapKey}</span> · {field.value_type} · default {String(field.default_value)}
                  </span>
                }
                rules={field.value_type === 'int' ? [{ required: true, type: 'integer', message: 'Enter a whole number' }] : []}
              >
                <SettingInput field={field} disabled={!canUpdate} />
              </Form.Item>
            ))
          )}

          {canUpdate && (
            <Form.Item label=" " colon={false}>
              <Space>
                <Button type="primary" htmlType="submit" icon={<SaveOutlined />} loading={saving} disabled={!dirty} data-testid="settings-save">
                  Save
                </Button>
                <Button
                  onClick={() => {
                    form.setFieldsValue(initialValues);
                    setDirty(false);
                  }}
                  disabled={!dirty}
                  data-testid="settings-reset"
                >
                  Discard changes
                </Button>
              </Space>
            </Form.Item>
          )}
        </Form>
      </Card>
    </div>
  );
}
