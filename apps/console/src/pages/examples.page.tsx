import { PlayCircleOutlined } from '@ant-design/icons';
import type { TaskDto, TaskEvent } from '@taskyard/contracts';
import { Alert, App, Button, Card, Col, Form, InputNumber, Row, Typography } from 'antd';
import { useCallback, useState } from 'react';
import { Link } from 'react-router-dom';
import { describeError } from '../api/client';
import { examplesApi } from '../api/endpoints';
import type { ExampleReportRequest } from '../api/types';
import { PageHeader } from '../components/page-header';
import { TaskProgress } from '../components/task-progress';
import { TaskStatusTag } from '../components/task-status-tag';
import { useTaskEvents } from '../hooks/use-task-events';
import { applyTaskEvent } from '../lib/task-events';
import { useSite } from '../site/site-context';

interface ReportForm {
  steps: number;
  step_ms: number;
  fail_at_step?: number | null;
  fail_attempts?: number | null;
  max_retries?: number | null;
}

function toRequest(values: ReportForm): ExampleReportRequest {
  const request: ExampleReportRequest = { steps: values.steps, step_ms: values.step_ms };
  if (values.fail_at_step != null) request.fail_at_step = values.fail_at_step;
  if (values.fail_attempts != null) request.fail_attempts = values.fail_attempts;
  if (values.max_retries != null) request.max_retries = values.max_retries;
  return request;
}

export function ExamplesPage() {
  const { message } = App.useApp();
  const { addTask } = useSite();
  const [form] = Form.useForm<ReportForm>();
  const [submitting, setSubmitting] = useState(false);
  const [created, setCreated] = useState<TaskDto[]>([]);

  const onEvent = useCallback((event: TaskEvent) => {
    setCreated((list) =>
      event.type === 'deleted' ? list.filter((t) => t.id !== event.task_id) : list.map((t) => applyTaskEvent(t, event)),
    );
  }, []);
  useTaskEvents({ onEvent, enabled: created.length > 0 });

  const start = async (values: ReportForm) => {
    setSubmitting(true);
    try {
      const task = await examplesApi.startReport(toRequest(values));
      addTask(task);
      setCreated((list) => [task, ...list].slice(0, 5));
      message.success('Report task started.');
    } catch (err) {
      message.error(describeError(err));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div data-testid="examples-page">
      <PageHeader title="Examples" subtitle="Start the example modules to see progress, logs, retries and artifacts in action." />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Card title="Example report (example_report)">
            <Typography.Paragraph type="secondary">
              Runs a number of steps, logging each one and reporting progress, then stores a CSV artifact. Make it fail at a
              step for its first attempts to watch automatic retries.
            </Typography.Paragraph>
            <Form<ReportForm>
              form={form}
              layout="vertical"
              initialValues={{ steps: 10, step_ms: 500 }}
              onFinish={(values) => void start(values)}
              data-testid="example-report-form"
            >
              <Row gutter={16}>
                <Col xs={24} sm={12}>
                  <Form.Item label="Steps" name="steps" rules={[{ required: true, message: 'How many steps?' }]} extra="1 to 10,000">
                    <InputNumber min={1} max={10000} precision={0} style={{ width: '100%' }} data-testid="example-steps" />
                  </Form.Item>
                </Col>
                <Col xs={24} sm={12}>
                  <Form.Item label="Step duration (ms)" name="step_ms" rules={[{ required: true, message: 'How long is a step?' }]} extra="0 to 60,000">
                    <InputNumber min={0} max={60000} precision={0} step={100} style={{ width: '100%' }} data-testid="example-step-ms" />
                  </Form.Item>
                </Col>
                <Col xs={24} sm={8}>
                  <Form.Item
                    label="Fail at step"
                    name="fail_at_step"
                    dependencies={['steps']}
                    rules={[
                      ({ getFieldValue }) => ({
                        validator: (_rule, value: number | null | undefined) => {
                          const steps = getFieldValue('steps') as number | undefined;
                          if (value == null || steps == null || value <= steps) return Promise.resolve();
                          return Promise.reject(new Error('Must not exceed the number of steps'));
                        },
                      }),
                    ]}
                    extra="Optional"
                  >
                    <InputNumber min={1} precision={0} style={{ width: '100%' }} data-testid="example-fail-at-step" />
                  </Form.Item>
                </Col>
                <Col xs={24} sm={8}>
                  <Form.Item label="Fail attempts" name="fail_attempts" extra="Fail the first N attempts">
                    <InputNumber min={0} precision={0} style={{ width: '100%' }} data-testid="example-fail-attempts" />
                  </Form.Item>
                </Col>
                <Col xs={24} sm={8}>
                  <Form.Item label="Max retries" name="max_retries" extra="Automatic retries">
                    <InputNumber min={0} precision={0} style={{ width: '100%' }} data-testid="example-max-retries" />
                  </Form.Item>
                </Col>
              </Row>
              <Button type="primary" htmlType="submit" icon={<PlayCircleOutlined />} loading={submitting} data-testid="example-submit">
                Start report
              </Button>
            </Form>
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card title="Started from this page">
            {created.length === 0 ? (
              <Alert type="info" showIcon title="Tasks you start here also appear in the task menu at the top right." />
            ) : (
              <div className="ty-created-list" data-testid="example-created">
                {created.map((task) => (
                  <div key={task.id} className="ty-created-item" data-testid="example-created-item" data-status={task.status}>
                    <div className="ty-created-item-head">
                      <Link to={`/tasks/${task.id}`} className="ty-mono" data-testid="example-created-link">
                        {task.id}
                      </Link>
                      <TaskStatusTag task={task} />
                    </div>
                    <TaskProgress task={task} testId="example-created-progress" />
                  </div>
                ))}
              </div>
            )}
          </Card>
        </Col>
      </Row>
    </div>
  );
}
