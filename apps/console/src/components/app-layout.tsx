import {
  ClockCircleOutlined,
  ClusterOutlined,
  ExperimentOutlined,
  LogoutOutlined,
  MenuFoldOutlined,
  MenuUnfoldOutlined,
  PauseCircleOutlined,
  SettingOutlined,
  TeamOutlined,
  UnorderedListOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { Permission } from '@taskyard/contracts';
import { Avatar, Button, Drawer, Dropdown, Grid, Layout, Menu, Spin, Typography, type MenuProps } from 'antd';
import { Suspense, useEffect, useMemo, useState } from 'react';
import { Link, Outlet, useLocation } from 'react-router-dom';
import { roleName } from '../api/types';
import { useAuth, useProfile } from '../auth/auth-context';
import { usePermissions } from '../auth/permissions';
import { SiteProvider } from '../site/site-context';
import { ErrorBoundary } from './error-boundary';
import { HeaderTaskDropdown } from './header-task-dropdown';

type MenuItem = Required<MenuProps>['items'][number];

function selectedKey(pathname: string): string {
  if (pathname.startsWith('/tasks/schedules')) return '/tasks/schedules';
  if (pathname.startsWith('/tasks')) return '/tasks';
  if (pathname.startsWith('/settings/tasks')) return '/settings/tasks';
  if (pathname.startsWith('/users')) return '/users';
  if (pathname.startsWith('/examples')) return '/examples';
  return pathname;
}

function UserMenu() {
  const profile = useProfile();
  const { logout } = useAuth();
  const displayName = profile.full_name || profile.username;
  const roles = profile.roles.map(roleName).join(', ');
  const items: MenuProps['items'] = [
    {
      key: 'who',
      disabled: true,
      label: (
        <div className="ty-user-menu-who">
          <Typography.Text strong>{displayName}</Typography.Text>
          <br />
          <Typography.Text type="secondary">{roles || 'No roles'}</Typography.Text>
        </div>
      ),
    },
    { type: 'divider' },
    { key: 'logout', icon: <LogoutOutlined />, label: <span data-testid="logout-button">Sign out</span>, onClick: logout },
  ];
  return (
    <Dropdown menu={{ items }} trigger={['click']} placement="bottomRight">
      <Button type="text" data-testid="user-menu-trigger" aria-label="User menu" className="ty-user-menu-trigger">
        <Avatar size="small" icon={<UserOutlined />} style={{ backgroundColor: '#1677ff' }} />
        <span className="ty-hide-narrow" data-testid="current-username">
          {profile.username}
        </span>
      </Button>
    </Dropdown>
  );
}

function SideMenu({ collapsed, onNavigate }: { collapsed: boolean; onNavigate?: () => void }) {
  const { can } = usePermissions();
  const location = useLocation();

  const items = useMemo<MenuItem[]>(() => {
    const taskChildren: MenuItem[] = [
      { key: '/tasks', icon: <UnorderedListOutlined />, label: <Link to="/tasks" data-testid="nav-tasks">All tasks</Link> },
    ];
    if (can(Permission.TaskScheduleList)) {
      taskChildren.push({
        key: '/tasks/schedules',
        icon: <ClockCircleOutlined />,
        label: <Link to="/tasks/schedules" data-testid="nav-schedules">Scheduled tasks</Link>,
      });
    }
    if (can(Permission.TaskQueueView)) {
      taskChildren.push({ key: '/queues', icon: <PauseCircleOutlined />, label: <Link to="/queues" data-testid="nav-queues">Queues</Link> });
    }
    const result: MenuItem[] = [{ key: 'tasks-group', type: 'group', label: collapsed ? null : 'Tasks', children: taskChildren }];
    const admin: MenuItem[] = [];
    if (can(Permission.UserList)) {
      admin.push({ key: '/users', icon: <TeamOutlined />, label: <Link to="/users" data-testid="nav-users">Users</Link> });
    }
    if (can(Permission.SettingsView)) {
      admin.push({
        key: '/settings/tasks',
        icon: <SettingOutlined />,
        label: <Link to="/settings/tasks" data-testid="nav-task-settings">Task settings</Link>,
      });
    }
    if (can(Permission.FleetView)) {
      admin.push({ key: '/fleet', icon: <ClusterOutlined />, label: <Link to="/fleet" data-testid="nav-fleet">Fleet</Link> });
    }
    if (admin.length > 0) result.push({ key: 'admin-group', type: 'group', label: collapsed ? null : 'Administration', children: admin });
    result.push({
      key: 'dev-group',
      type: 'group',
      label: collapsed ? null : 'Developers',
      children: [{ key: '/examples', icon: <ExperimentOutlined />, label: <Link to="/examples" data-testid="nav-examples">Examples</Link> }],
    });
    return result;
  }, [can, collapsed]);

  return <Menu theme="dark" mode="inline" selectedKeys={[selectedKey(location.pathname)]} items={items} onClick={onNavigate} data-testid="side-menu" />;
}

function Logo({ collapsed }: { collapsed: boolean }) {
  return (
    <Link to="/tasks" className="ty-logo" aria-label="Taskyard home">
      <img src="/favicon.svg" alt="" width={28} height={28} />
      {!collapsed && <span>Taskyard</span>}
    </Link>
  );
}

/**
 * Side menu on wide screens; on a phone (below md, as antd Pro) the menu lives in a drawer
 * opened from the header, and the content gets the whole width.
 */
export function AppLayout() {
  const [collapsed, setCollapsed] = useState(false);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const location = useLocation();
  const screens = Grid.useBreakpoint();
  const phone = screens.md === false;
  useEffect(() => setDrawerOpen(false), [location.pathname]);

  return (
    <SiteProvider>
      <Layout className="ty-shell">
        {!phone && (
          <Layout.Sider collapsible collapsed={collapsed} onCollapse={setCollapsed} breakpoint="lg" trigger={null} width={208} className="ty-sider">
            <Logo collapsed={collapsed} />
            <SideMenu collapsed={collapsed} />
          </Layout.Sider>
        )}
        {phone && (
          <Drawer
            placement="left"
            open={drawerOpen}
            onClose={() => setDrawerOpen(false)}
            size={240}
            closable={false}
            className="ty-menu-drawer"
            styles={{ body: { padding: 0, background: '#0f172a' } }}
            data-testid="menu-drawer"
          >
            <Logo collapsed={false} />
            <SideMenu collapsed={false} onNavigate={() => setDrawerOpen(false)} />
          </Drawer>
        )}
        <Layout className="ty-main">
          <Layout.Header className="ty-header">
            {phone ? (
              <Button type="text" icon={<MenuUnfoldOutlined />} onClick={() => setDrawerOpen(true)} aria-label="Open menu" data-testid="menu-open" />
            ) : (
              <Button
                type="text"
                icon={collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />}
                onClick={() => setCollapsed(!collapsed)}
                aria-label={collapsed ? 'Expand menu' : 'Collapse menu'}
              />
            )}
            <div className="ty-header-right">
              <HeaderTaskDropdown />
              <UserMenu />
            </div>
          </Layout.Header>
          <Layout.Content className="ty-content">
            <ErrorBoundary key={location.pathname}>
              <Suspense
                fallback={
                  <div className="ty-center-pad">
                    <Spin size="large" />
                  </div>
                }
              >
                <Outlet />
              </Suspense>
            </ErrorBoundary>
          </Layout.Content>
        </Layout>
      </Layout>
    </SiteProvider>
  );
}
