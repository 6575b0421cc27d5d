import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The built console (jest's global setup builds it): issue 7's budget of 200 kB of gzipped JavaScript. */
const ASSETS = join(__dirname, '..', '..', 'dist', 'web', 'assets');
const BUDGET_BYTES = 200 * 1024;

describe('the built web console', () => {
  const scripts = readdirSync(ASSETS).filter((name) => name.endsWith('.js'));

  it('ships under 200 kB of JavaScript, gzipped', () => {
    const gzipped = scripts.reduce((total, name) => total + gzipSync(readFileSync(join(ASSETS, name)), { level: 9 }).length, 0);
    expect(scripts.length).toBeGreaterThan(0);
    expect(gzipped).toBeLessThan(BUDGET_BYTES);
  });

  it("is Vue's production build, whatever NODE_ENV the build was started with", () => {
    // Vue's development build carries its warnings; jest sets NODE_ENV=test, which Vite would otherwise honour.
    const all = scripts.map((name) => readFileSync(join(ASSETS, name), 'utf8')).join('\n');
    expect(all).not.toContain('Extraneous non-props attributes');
  });
});
