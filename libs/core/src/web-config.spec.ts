import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { InvalidConfiguration, loadConfig } from './load-config';

describe('web console configuration', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'herald-web-config-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("defaults to Discord's OAuth2 URLs, 12-hour sessions, no Discord application, and the repository's dist/web", () => {
    const { web } = loadConfig({}, dir);
    expect(web).toEqual({
      dir: expect.stringMatching(/[/\\]dist[/\\]web$/),
      sessionTtlHours: 12,
      discordClientId: undefined,
      discordClientSecret: undefined,
      discordAuthorizeUrl: 'https://discord.com/oauth2/authorize',
      discordTokenUrl: 'https://discord.com/api/oauth2/token',
    });
    // The repository root, whether this runs from the sources or from dist/.
    expect(existsSync(join(dirname(dirname(web.dir)), 'package.json'))).toBe(true);
  });

  it('reads every setting from the environment, a relative HERALD_WEB_DIR against the working directory', () => {
    const { web } = loadConfig(
      {
        HERALD_WEB_DIR: 'console',
        WEB_SESSION_TTL_HOURS: '2',
        DISCORD_CLIENT_ID: '1300000000000000001',
        DISCORD_CLIENT_SECRET: 'shh',
        DISCORD_OAUTH_AUTHORIZE_URL: 'http://127.0.0.1:9/oauth2/authorize',
        DISCORD_OAUTH_TOKEN_URL: 'http://127.0.0.1:9/api/oauth2/token/',
      },
      dir,
    );
    expect(web).toEqual({
      dir: join(dir, 'console'),
      sessionTtlHours: 2,
      discordClientId: '1300000000000000001',
      discordClientSecret: 'shh',
      discordAuthorizeUrl: 'http://127.0.0.1:9/oauth2/authorize',
      discordTokenUrl: 'http://127.0.0.1:9/api/oauth2/token',
    });
  });

  it.each([
    [{ WEB_SESSION_TTL_HOURS: '0' }, 'WEB_SESSION_TTL_HOURS must be a whole number from 1 to 720'],
    [{ DISCORD_OAUTH_TOKEN_URL: 'discord.com/api/oauth2/token' }, 'DISCORD_OAUTH_TOKEN_URL must be an absolute http(s) URL'],
  ])('refuses %p', (env, message) => {
    expect(() => loadConfig(env, dir)).toThrow(message);
  });

  it('refuses DISCORD_CLIENT_SECRET in herald.yml: it belongs in the environment', () => {
    writeFileSync(join(dir, 'herald.yml'), 'DISCORD_CLIENT_SECRET: not-here\nwebSessionTtlHours: 3\n');
    expect(() => loadConfig({}, dir)).toThrow(InvalidConfiguration);
    expect(() => loadConfig({}, dir)).toThrow('DISCORD_CLIENT_SECRET is a secret');
    writeFileSync(join(dir, 'herald.yml'), 'webSessionTtlHours: 3\nwebDir: built\n');
    expect(loadConfig({}, dir).web).toMatchObject({ sessionTtlHours: 3, dir: join(dir, 'built') });
  });
});
