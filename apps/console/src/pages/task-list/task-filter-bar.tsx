import { TASK_STATUSES, type TaskStatus } from '@taskyard/contracts';
import { Button, DatePicker, Input, Select, Switch } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import type { TaskListQuery } from '../../api/types';
import { statusLabel } from '../../components/task-status-tag';
import { UserPicker } from '../../components/user-picker';

function TypeFilter({ value, onApply }: { value: string | undefined; onApply: (value: string | undefined) => void }) {
  const [draft, setDraft] = useState(value ?? '');
  useEffect(() => setDraft(value ?? ''), [value]);
  const apply = () => {
    const next = draft.trim() || undefined;
    if (next !== value) onApply(next);
  };
  return (
    <Input
      placeholder="Type"
      allowClear
      value={draft}
      onChange={(e) => {
        setDraft(e.target.value);
        if (!e.target.value && value) onApply(undefined);
      }}
      onPressEnter={apply}
      onBlur={apply}
      className="ty-filter-type"
      aria-label="Filter by type"
      data-testid="task-filter-type"
    />
  );
}

interface TaskFilterBarProps {
  query: TaskListQuery;
  /** The caller lists every user's tasks (creator and system filters apply). */
  seesAll: boolean;
  filtersActive: boolean;
  update: (patch: Partial<TaskListQuery>) => void;
  reset: () => void;
}

/** Search, status, type, creator, created range and the system-task switch. */
export function TaskFilterBar({ query, seesAll, filtersActive, update, reset }: TaskFilterBarProps) {
  const [searchDraft, setSearchDraft] = useState(query.search ?? '');
  useEffect(() => setSearchDraft(query.search ?? ''), [query.search]);

  return (
    <div className="ty-filter-bar" data-testid="task-filter-bar">
      <Input.Search
        placeholder="Type, id or payload"
        allowClear
        value={searchDraft}
        onChange={(e) => setSearchDraft(e.target.value)}
        onSearch={(value) => update({ search: value.trim() || undefined })}
        className="ty-filter-search"
        aria-label="Search tasks"
        data-testid="task-search"
      />
      <Select<TaskStatus>
        placeholder="Status"
        allowClear
        value={query.status}
        onChange={(status) => update({ status })}
        options={TASK_STATUSES.map((s) => ({ value: s, label: statusLabel(s) }))}
        className="ty-filter-status"
        aria-label="Filter by status"
        data-testid="task-filter-status"
      />
      <TypeFilter value={query.type} onApply={(type) => update({ type })} />
      {seesAll && (
        <UserPicker
          value={query.creator_id}
          onChange={(creator_id) => update({ creator_id })}
          placeholder="Creator"
          aria-label="Filter by creator"
          data-testid="task-filter-creator"
        />
      )}
      {/* Two pickers, not a RangePicker: its start field kept Tab inside it while the range was incomplete. */}
      <DatePicker
        value={query.created_from ? dayjs(query.created_from) : null}
        onChange={(day: Dayjs | null) => update({ created_from: day?.startOf('day').toISOString() })}
        placeholder="Created from"
        className="ty-filter-date"
        aria-label="Created from"
        data-testid="task-filter-created-from"
      />
      <DatePicker
        value={query.created_to ? dayjs(query.created_to) : null}
        onChange={(day: Dayjs | null) => update({ created_to: day?.endOf('day').toISOString() })}
        placeholder="Created to"
        className="ty-filter-date"
        aria-label="Created to"
        data-testid="task-filter-created-to"
      />
      {seesAll && (
        <label className="ty-filter-switch">
          <Switch
            size="small"
            checked={query.category !== 'user'}
            onChange={(on) => update({ category: on ? undefined : 'user' })}
            data-testid="task-filter-system"
          />
          <span>System tasks</span>
        </label>
      )}
      {filtersActive && (
        <Button onClick={reset} data-testid="task-filter-reset">
          Reset
        </Button>
      )}
    </div>
  );
}
