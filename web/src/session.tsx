/** Who is signed in (GET /api/v1/session), sign-in and sign-out. Anonymous visitors see TLP:CLEAR advisories only. */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { ApiError, api, setCsrfToken } from './api';

export interface Me {
  csrfToken: string;
  expiresAt: string;
  memberId: string;
  orgId: string;
  orgKind: string;
  role: 'admin' | 'analyst' | 'viewer';
  scopes: string[];
  organisation: { id: string; name: string; kind: string };
}

interface SessionState {
  me: Me | null;
  checking: boolean;
  error: ApiError | null;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  refresh(): Promise<void>;
}

const Ctx = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);

  const refresh = useCallback(async () => {
    try {
      const m = await api<Me>('GET', '/api/v1/session');
      setCsrfToken(m.csrfToken);
      setMe(m);
      setError(null);
    } catch (e) {
      setCsrfToken(null);
      setMe(null);
      if (e instanceof ApiError && e.status !== 401) setError(e);
    } finally {
      setChecking(false);
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const signIn = async (email: string, password: string) => {
    const out = await api<{ csrfToken: string }>('POST', '/api/v1/session', { email, password });
    setCsrfToken(out.csrfToken);
    await refresh();
  };
  const signOut = async () => {
    try {
      await api('DELETE', '/api/v1/session');
    } finally {
      setCsrfToken(null);
      setMe(null);
    }
  };
  return <Ctx.Provider value={{ me, checking, error, signIn, signOut, refresh }}>{children}</Ctx.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

export const isCoordinator = (me: Me | null) => me?.orgKind === 'coordinator';
export const isAdmin = (me: Me | null) => me?.role === 'admin';
