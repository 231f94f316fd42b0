import { VerticalAlignBottomOutlined } from '@ant-design/icons';
import type { TaskLogDto } from '@taskyard/contracts';
import { Button, Empty, Spin, Switch, Typography } from 'antd';
import { useLayoutEffect, useRef, useState, type UIEvent } from 'react';
import dayjs from 'dayjs';

interface LogViewerProps {
  logs: TaskLogDto[];
  loading: boolean;
  /** Tailing: new lines are expected (task pending or running). */
  live: boolean;
}

const STICK_THRESHOLD_PX = 24;

function formatTime(value: string): string {
  const d = dayjs(value);
  return d.isValid() ? d.format('HH:mm:ss.SSS') : value;
}

/** Terminal-like log tail: follows new lines while scrolled to the bottom. */
export function LogViewer({ logs, loading, live }: LogViewerProps) {
  const boxRef = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);

  useLayoutEffect(() => {
    const box = boxRef.current;
    if (box && follow) box.scrollTop = box.scrollHeight;
  }, [logs, follow]);

  const onScroll = (event: UIEvent<HTMLDivElement>) => {
    const box = event.currentTarget;
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < STICK_THRESHOLD_PX;
    if (atBottom !== follow) setFollow(atBottom);
  };

  return (
    <div className="ty-log-viewer-wrap">
      <div className="ty-log-toolbar">
        <Typography.Text type="secondary" data-testid="task-log-count">
          {logs.length} line{logs.length === 1 ? '' : 's'}
          {live ? ' · tailing' : ''}
        </Typography.Text>
        <span className="ty-log-follow">
          <Switch size="small" checked={follow} onChange={setFollow} aria-label="Follow new lines" data-testid="task-log-follow" />
          <Typography.Text type="secondary">Follow</Typography.Text>
          {!follow && (
            <Button
              size="small"
              type="text"
              icon={<VerticalAlignBottomOutlined />}
              onClick={() => setFollow(true)}
              aria-label="Jump to latest line"
            />
          )}
        </span>
      </div>
      <div
        ref={boxRef}
        className="ty-log-viewer"
        data-testid="task-log-viewer"
        role="log"
        aria-live="polite"
        aria-busy={loading}
        data-lines={String(logs.length)}
        onScroll={onScroll}
        tabIndex={0}
      >
        {loading && logs.length === 0 ? (
          <div className="ty-log-empty">
            <Spin size="small" /> <span>Loading logs…</span>
          </div>
        ) : logs.length === 0 ? (
          <Empty
            image={Empty.PRESENTED_IMAGE_SIMPLE}
            description={<span className="ty-log-empty-text">{live ? 'Waiting for the first log line…' : 'This task has no log lines.'}</span>}
          />
        ) : (
          logs.map((log) => (
            <div key={log.id} className={`ty-log-line ty-log-${log.level}`} data-testid="task-log-line" data-level={log.level}>
              <span className="ty-log-time">{formatTime(log.created_at)}</span>
              <span className="ty-log-level">{log.level.toUpperCase()}</span>
              <span className="ty-log-message">{log.message}</span>
            </div>
          ))
        )}
      </div>
    </div>
  );
}
