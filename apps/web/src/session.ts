import { reactive, readonly } from 'vue';
import { api, ApiError, configureApi } from './api';

export interface AdminGuild {
  guildId: string;
  name: string;
}

/** `GET /auth/session`: who is signed in. The session token itself stays in its HttpOnly cookie. */
export interface Session {
  userId: string;
  displayName: string;
  operator: boolean;
  scopes: string[];
  adminGuilds: AdminGuild[];
  csrfToken: string;
  expiresAt: string;
}

const state = reactive({
  current: null as Session | null,
  /** The session ended while the console was open (expired or revoked): the sign-in page says so. */
  ended: false,
});

/** The signed-in session, reactive and read-only: change it through the functions below. */
export const session = readonly(state);

let loaded: Promise<Session | null> | null = null;

/** The session, asked of Herald once and then remembered; `fresh` asks again (after signing in or out). */
export function loadSession(fresh = false): Promise<Session | null> {
  if (!loaded || fresh) {
    loaded = api.get<Session>('/auth/session').then(
      (current) => {
        state.current = current;
        state.ended = false;
        return current;
      },
      (error: unknown) => {
        loaded = null;
        if (error instanceof ApiError && error.status === 401) {
          state.current = null;
          return null;
        }
        throw error;
      },
    );
  }
  return loaded;
}

export async function signInAsOperator(token: string): Promise<Session | null> {
  await api.post('/auth/operator', { token });
  return loadSession(true);
}

export async function signOut(): Promise<void> {
  // A session that ended already needs no signing out.
  await api.post('/auth/sign-out').catch((error: unknown) => {
    if (!(error instanceof ApiError && error.status === 401)) throw error;
  });
  state.current = null;
  state.ended = false;
  loaded = Promise.resolve(null);
}

function sessionEnded(): void {
  if (state.current === null) return;
  state.current = null;
  state.ended = true;
  loaded = Promise.resolve(null);
}

/** Where a session starts: operators have no presence or integrations of their own. */
export function homePath(current: Session): string {
  return current.operator ? '/operator' : '/';
}

/** Whether the session may open the guild's page (the API checks again on every call). */
export function mayAdminGuild(guildId: string): boolean {
  const current = state.current;
  return current !== null && (current.operator || current.adminGuilds.some((guild) => guild.guildId === guildId));
}

configureApi({ csrfToken: () => state.current?.csrfToken ?? null, unauthorized: sessionEnded });
