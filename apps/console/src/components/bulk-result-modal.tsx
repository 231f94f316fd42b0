import type { BulkResultDto } from '@taskyard/contracts';
import { Modal, Table, Tag, Typography } from 'antd';
import type { BulkAction } from '../api/endpoints';
import { testAttrs } from '../lib/test-attrs';

const ACTION_LABEL: Record<BulkAction, string> = { cancel: 'Cancel', retry: 'Retry', delete: 'Delete' };

export interface BulkOutcome {
  action: BulkAction;
  results: BulkResultDto[];
}

/** Per-id outcome of a bulk action: which tasks it applied to and why the others were refused. */
export function BulkResultModal({ outcome, onClose }: { outcome: BulkOutcome | null; onClose: () => void }) {
  const results = outcome?.results ?? [];
  const okCount = results.filter((r) => r.ok).length;
  return (
    <Modal
      open={outcome !== null}
      title={outcome ? `Bulk ${ACTION_LABEL[outcome.action].toLowerCase()}: ${okCount} of ${results.length} succeeded` : ''}
      onCancel={onClose}
      onOk={onClose}
      cancelButtonProps={{ style: { display: 'none' } }}
      okButtonProps={testAttrs('bulk-result-close')}
      okText="Close"
      width={720}
      destroyOnHidden
    >
      <div data-testid="bulk-result">
        <Table<BulkResultDto>
          size="small"
          rowKey="id"
          pagination={results.length > 10 ? { pageSize: 10, size: 'small' } : false}
          dataSource={results}
          onRow={(r) => testAttrs('bulk-result-row', { 'task-id': r.id, ok: String(r.ok) })}
          columns={[
            {
              title: 'Task',
              dataIndex: 'id',
              render: (id: string) => <Typography.Text code>{id}</Typography.Text>,
            },
            {
              title: 'Outcome',
              dataIndex: 'ok',
              width: 110,
              render: (ok: boolean) => (ok ? <Tag color="success">Done</Tag> : <Tag color="error">Refused</Tag>),
            },
            {
              title: 'Details',
              key: 'err',
              render: (_: unknown, r: BulkResultDto) =>
                r.ok ? (
                  <Typography.Text type="secondary">—</Typography.Text>
                ) : (
                  <Typography.Text type="danger">
                    {r.err ?? 'Refused'}
                    {r.code ? ` (${r.code})` : ''}
                  </Typography.Text>
                ),
            },
          ]}
        />
      </div>
    </Modal>
  );
}
