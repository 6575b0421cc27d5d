import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

/** Where `npm run dev`-style work sends API calls: a Herald running locally. */
const heraldUrl = process.env.HERALD_URL ?? 'http://localhost:3000';

/**
 * The console builds into dist/web, which Herald serves at `/` (history-mode routes fall back to
 * index.html there). Paths resolve from this file, so the build works from any working directory.
 */
export default defineConfig({
  root: __dirname,
  base: '/',
  plugins: [vue()],
  build: {
    outDir: `${__dirname}/../../dist/web`,
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    proxy: {
      '/api': heraldUrl,
      '/auth': heraldUrl,
      '/ws': { target: heraldUrl, ws: true },
    },
  },
});
