import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';
import { clearToken, getToken, setToken, setUnauthorizedHandler } from '../api/client';
import { authApi } from '../api/endpoints';
import type { ProfileDto } from '../api/types';

export type AuthState =
  | { status: 'loading' }
  | { status: 'anonymous'; reason?: string }
  | { status: 'authenticated'; profile: ProfileDto }
  | { status: 'error'; error: unknown };

export interface LoginRedirectState {
  from?: string;
  reason?: string;
}

interface AuthContextValue {
  state: AuthState;
  login: (username: string, password: string) => Promise<ProfileDto>;
  logout: () => void;
  reloadProfile: () => Promise<void>;
}

const AuthContext = createContext<AuthContextValue | null>(null);

function normalizeProfile(profile: ProfileDto): ProfileDto {
  return {
    ...profile,
    roles: Array.isArray(profile.roles) ? profile.roles : [],
    permissions: Array.isArray(profile.permissions) ? profile.permissions : [],
  };
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const navigate = useNavigate();
  const [state, setState] = useState<AuthState>(() => (getToken() ? { status: 'loading' } : { status: 'anonymous' }));

  const reloadProfile = useCallback(async () => {
    if (!getToken()) {
      setState({ status: 'anonymous' });
      return;
    }
    setState((prev) => (prev.status === 'authenticated' ? prev : { status: 'loading' }));
    try {
      const profile = await authApi.profile();
      setState({ status: 'authenticated', profile: normalizeProfile(profile) });
    } catch (error) {
      // A 401 already went through the unauthorized handler (token cleared, reason recorded).
      setState((prev) => (getToken() ? { status: 'error', error } : prev.status === 'anonymous' ? prev : { status: 'anonymous' }));
    }
  }, []);

  useEffect(() => {
    // <RequireAuth> does the redirect when the state turns anonymous; the reason travels with it.
    // The login page shows the reason; a toast as well said it twice.
    setUnauthorizedHandler((reason) => setState({ status: 'anonymous', reason }));
    return () => setUnauthorizedHandler(null);
  }, []);

  useEffect(() => {
    if (getToken()) void reloadProfile();
  }, [reloadProfile]);

  const login = useCallback(async (username: string, password: string) => {
    const result = await authApi.login(username, password);
    setToken(result.token, result.expires_at);
    try {
      const profile = normalizeProfile(await authApi.profile());
      setState({ status: 'authenticated', profile });
      return profile;
    } catch (error) {
      clearToken();
      setState({ status: 'anonymous' });
      throw error;
    }
  }, []);

  const logout = useCallback(() => {
    clearToken();
    setState({ status: 'anonymous' });
    void navigate('/login', { replace: true });
  }, [navigate]);

  const value = useMemo<AuthContextValue>(() => ({ state, login, logout, reloadProfile }), [state, login, logout, reloadProfile]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth must be used inside <AuthProvider>');
  return value;
}

/** The signed-in user's profile; only call below <RequireAuth>. */
export function useProfile(): ProfileDto {
  const { state } = useAuth();
  if (state.status !== 'authenticated') throw new Error('useProfile called without an authenticated user');
  return state.profile;
}
