import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { describeError } from '../api/client';
import { useAuth, type LoginRedirectState } from '../auth/auth-context';

interface LoginForm {
  username: string;
  password: string;
}

function safeRedirect(from: string | undefined): string {
  // Only same-app paths: never bounce to another origin after sign-in.
  if (!from || !from.startsWith('/') || from.startsWith('//') || from.startsWith('/login')) return '/tasks';
  return from;
}

export function LoginPage() {
  const { state, login } = useAuth();
  const location = useLocation();
  const navigate = useNavigate();
  const redirect = (location.state ?? {}) as LoginRedirectState;
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (state.status === 'authenticated') return <Navigate to={safeRedirect(redirect.from)} replace />;

  const onFinish = async (values: LoginForm) => {
    setSubmitting(true);
    setError(null);
    try {
      await login(values.username.trim(), values.password);
      void navigate(safeRedirect(redirect.from), { replace: true });
    } catch (err) {
      setError(describeError(err));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div className="ty-login">
      <Card className="ty-login-card" variant="outlined">
        <div className="ty-login-brand">
          <img src="/favicon.svg" alt="" width={40} height={40} />
          <div>
            <Typography.Title level={3} style={{ margin: 0 }}>
              Taskyard
            </Typography.Title>
            <Typography.Text type="secondary">Background tasks console</Typography.Text>
          </div>
        </div>
        {redirect.reason && !error && (
          <Alert type="warning" showIcon title={redirect.reason} style={{ marginBottom: 16 }} data-testid="login-notice" />
        )}
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
        <Form<LoginForm> layout="vertical" onFinish={(values) => void onFinish(values)} requiredMark={false} data-testid="login-form">
          <Form.Item label="Username" name="username" rules={[{ required: true, whitespace: true, message: 'Enter your username' }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus data-testid="login-username" />
          </Form.Item>
          <Form.Item label="Password" name="password" rules={[{ required: true, message: 'Enter your password' }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="login-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={submitting} data-testid="login-submit">
            Sign in
          </Button>
        </Form>
      </Card>
    </div>
  );
}
