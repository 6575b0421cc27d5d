import { nextTick } from 'vue';
import { createRouter, createWebHistory, type RouteLocationRaw } from 'vue-router';
import { homePath, loadSession } from './session';

/** Who may open a page: anyone, any session, a user session (Discord), or the operator. */
/** The sign-in page's `?error=` when the session could not be read (Herald's own codes come from /auth/discord). */
export const SESSION_UNAVAILABLE = 'session_unavailable';

type Access = 'public' | 'session' | 'user' | 'operator';

declare module 'vue-router' {
  interface RouteMeta {
    title: string;
    access: Access;
  }
}

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', component: () => import('./pages/StatusPage.vue'), meta: { title: 'My status', access: 'user' } },
    { path: '/fronting', component: () => import('./pages/FrontingPage.vue'), meta: { title: 'Fronting', access: 'user' } },
    { path: '/integrations', component: () => import('./pages/IntegrationsPage.vue'), meta: { title: 'Integrations', access: 'user' } },
    { path: '/history', component: () => import('./pages/HistoryPage.vue'), meta: { title: 'My history', access: 'user' } },
    { path: '/guilds/:guildId', component: () => import('./pages/GuildPage.vue'), props: true, meta: { title: 'Guild', access: 'session' } },
    { path: '/operator', component: () => import('./pages/OperatorPage.vue'), meta: { title: 'Operator', access: 'operator' } },
    { path: '/sign-in', component: () => import('./pages/SignInPage.vue'), meta: { title: 'Sign in', access: 'public' } },
    { path: '/:unknown(.*)*', component: () => import('./pages/NotFoundPage.vue'), meta: { title: 'Not found', access: 'public' } },
  ],
});

router.beforeEach(async (to): Promise<true | RouteLocationRaw> => {
  const current = await loadSession().catch(() => undefined);
  // Herald could not say who is signed in (down, or its store is): the sign-in page explains.
  if (current === undefined) return to.path === '/sign-in' ? true : { path: '/sign-in', query: { error: SESSION_UNAVAILABLE } };
  if (to.meta.access === 'public') return to.path === '/sign-in' && current ? homePath(current) : true;
  if (!current) return { path: '/sign-in', query: to.fullPath === '/' ? {} : { next: to.fullPath } };
  if (to.meta.access === 'user' && current.operator) return '/operator';
  if (to.meta.access === 'operator' && !current.operator) return '/';
  return true;
});

/** A new page is announced: its title, and focus on its heading for keyboard and screen-reader users. */
router.afterEach((to, from) => {
  document.title = `${to.meta.title} · Herald`;
  if (from.matched.length === 0) return;
  void nextTick(() => document.querySelector<HTMLElement>('main h1')?.focus());
});
