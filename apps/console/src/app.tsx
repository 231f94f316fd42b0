import { Permission } from '@taskyard/contracts';
import { lazy } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { RequireAuth, RequirePermission } from './auth/route-guards';
import { AppLayout } from './components/app-layout';
import { LoginPage } from './pages/login.page';

// Pages load on demand so the login screen and the layout ship without every page's code.
const TaskListPage = lazy(() => import('./pages/task-list.page').then((m) => ({ default: m.TaskListPage })));
const TaskDetailPage = lazy(() => import('./pages/task-detail.page').then((m) => ({ default: m.TaskDetailPage })));
const SchedulesPage = lazy(() => import('./pages/schedules.page').then((m) => ({ default: m.SchedulesPage })));
const TaskSettingsPage = lazy(() => import('./pages/task-settings.page').then((m) => ({ default: m.TaskSettingsPage })));
const UsersPage = lazy(() => import('./pages/users.page').then((m) => ({ default: m.UsersPage })));
const ExamplesPage = lazy(() => import('./pages/examples.page').then((m) => ({ default: m.ExamplesPage })));
const QueuesPage = lazy(() => import('./pages/queues.page').then((m) => ({ default: m.QueuesPage })));
const FleetPage = lazy(() => import('./pages/fleet.page').then((m) => ({ default: m.FleetPage })));
const NotFoundPage = lazy(() => import('./pages/not-found.page').then((m) => ({ default: m.NotFoundPage })));

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        element={
          <RequireAuth>
            <AppLayout />
          </RequireAuth>
        }
      >
        <Route index element={<Navigate to="/tasks" replace />} />
        <Route path="/tasks" element={<TaskListPage />} />
        <Route
          path="/tasks/schedules"
          element={
            <RequirePermission permission={Permission.TaskScheduleList}>
              <SchedulesPage />
            </RequirePermission>
          }
        />
        <Route path="/tasks/:id" element={<TaskDetailPage />} />
        <Route
          path="/settings/tasks"
          element={
            <RequirePermission permission={Permission.SettingsView}>
              <TaskSettingsPage />
            </RequirePermission>
          }
        />
        <Route path="/settings" element={<Navigate to="/settings/tasks" replace />} />
        <Route
          path="/users"
          element={
            <RequirePermission permission={Permission.UserList}>
              <UsersPage />
            </RequirePermission>
          }
        />
        <Route path="/examples" element={<ExamplesPage />} />
        <Route
          path="/queues"
          element={
            <RequirePermission permission={Permission.TaskQueueView}>
              <QueuesPage />
            </RequirePermission>
          }
        />
        <Route
          path="/fleet"
          element={
            <RequirePermission permission={Permission.FleetView}>
              <FleetPage />
            </RequirePermission>
          }
        />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
