import { App as AntApp, ConfigProvider, type ThemeConfig } from 'antd';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { AppRoutes } from './app';
import { AuthProvider } from './auth/auth-context';
import './styles.css';

const theme: ThemeConfig = {
  token: {
    colorPrimary: '#1677ff',
    borderRadius: 8,
    fontFamily: "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
  },
  components: {
    Layout: { headerBg: '#ffffff', headerPadding: '0 16px', siderBg: '#0f172a' },
    Menu: { darkItemBg: '#0f172a', darkSubMenuItemBg: '#0f172a' },
  },
};

const container = document.getElementById('root');
if (!container) throw new Error('Missing #root element');

createRoot(container).render(
  <StrictMode>
    {/* The router wraps antd's App so links inside message and modal content have a router. */}
    <BrowserRouter>
      <ConfigProvider theme={theme}>
        <AntApp>
          <AuthProvider>
            <AppRoutes />
          </AuthProvider>
        </AntApp>
      </ConfigProvider>
    </BrowserRouter>
  </StrictMode>,
);
