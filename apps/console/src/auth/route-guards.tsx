import type { Permission } from '@taskyard/contracts';
import { App, Button, Result, Spin } from 'antd';
import { useEffect, type ReactNode } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { describeError } from '../api/client';
import { useAuth, type LoginRedirectState } from './auth-context';
import { usePermissions } from './permissions';

export function FullPageSpin({ tip }: { tip: string }) {
  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center' }} data-testid="app-loading">
      <Spin size="large" description={tip} />
    </div>
  );
}

/** Renders children for a signed-in user; otherwise sends them to /login and back afterwards. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { state, reloadProfile, logout } = useAuth();
  const location = useLocation();
  switch (state.status) {
    case 'loading':
      return <FullPageSpin tip="Loading your profile…" />;
    case 'anonymous': {
      const redirect: LoginRedirectState = { from: `${location.pathname}${location.search}`, reason: state.reason };
      return <Navigate to="/login" replace state={redirect} />;
    }
    case 'error':
      return (
        <Result
          status="error"
          title="Could not load your profile"
          subTitle={describeError(state.error)}
          extra={[
            <Button key="retry" type="primary" onClick={() => void reloadProfile()}>
              Try again
            </Button>,
            <Button key="logout" onClick={logout}>
              Sign in again
            </Button>,
          ]}
        />
      );
    case 'authenticated':
      return <>{children}</>;
  }
}

/** A page the caller may not open redirects to /tasks with a message. */
export function RequirePermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const { can } = usePermissions();
  const allowed = can(permission);
  const navigate = useNavigate();
  const { message } = App.useApp();

  useEffect(() => {
    if (allowed) return;
    message.warning({ content: `You do not have permission to open that page (${permission}).`, key: 'forbidden-page', duration: 6 });
    void navigate('/tasks', { replace: true });
  }, [allowed, message, navigate, permission]);

  return allowed ? <>{children}</> : null;
}
