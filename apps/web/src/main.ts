import { createApp, watch } from 'vue';
import App from './App.vue';
import { router } from './router';
import { session } from './session';
import './style.css';

// A session that ends while a page is open (expired, revoked) sends the reader to sign in again.
watch(
  () => session.ended,
  (ended) => {
    const route = router.currentRoute.value;
    if (ended && route.meta.access !== 'public') void router.replace({ path: '/sign-in', query: { next: route.fullPath } });
  },
);

createApp(App).use(router).mount('#app');
