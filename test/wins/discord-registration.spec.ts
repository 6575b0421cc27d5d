import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamicModule, Provider } from '@nestjs/common';
import { ApplicationCommandOptionType, ApplicationCommandType, GatewayIntentBits, InteractionContextType } from 'discord.js';
import { NECORD_MODULE_OPTIONS, NecordModule, type NecordModuleOptions, SlashCommand, type SlashCommandDiscovery } from 'necord';
import { loadConfig } from '@herald/core';
import { COUNTING_MODES, winsSlashCommandClasses } from '@herald/wins';
import { HeraldModule, type HeraldModuleOptions } from '../../apps/herald/src/herald.module';

const { String: STRING, Integer: INTEGER, Boolean: BOOLEAN, User: USER, Role: ROLE } = ApplicationCommandOptionType;

/** Every command of issue 3 and its options: [name, type, required], in the order Discord shows them. */
const ISSUE_COMMANDS: Record<string, Array<[string, ApplicationCommandOptionType, boolean]>> = {
  link: [['player_id', STRING, true]],
  unlink: [],
  status: [['user', USER, false]],
  sync: [['user', USER, false]],
  set_mode: [['mode', STRING, true]],
  get_mode: [],
  roles_add: [
    ['wins', INTEGER, true],
    ['role', ROLE, true],
  ],
  roles_remove: [
    ['wins', INTEGER, false],
    ['role', ROLE, false],
  ],
  roles: [],
  clan_tag_add: [['tag', STRING, true]],
  clan_tag_remove: [['tag', STRING, true]],
  clans_list: [],
  link_override: [
    ['user', USER, true],
    ['player_id', STRING, true],
  ],
  admin_role_add: [['role', ROLE, true]],
  admin_role_remove: [['role', ROLE, true]],
  admin_roles: [],
  guild_remove: [['confirm', BOOLEAN, true]],
  audit: [['page', INTEGER, false]],
  leaderboard: [],
  api_token: [],
};

interface OptionJson {
  name: string;
  description: string;
  type: ApplicationCommandOptionType;
  required?: boolean;
  choices?: { name: string; value: string }[];
  min_value?: number;
  max_value?: number;
  min_length?: number;
  max_length?: number;
}

interface CommandJson {
  type: ApplicationCommandType;
  name: string;
  description: string;
  contexts?: InteractionContextType[];
  options: OptionJson[];
}

/** What Necord would send Discord for each command, read from the decorators as Necord reads them. */
function registeredCommands(): Map<string, CommandJson> {
  const commands = new Map<string, CommandJson>();
  for (const type of winsSlashCommandClasses) {
    const prototype = type.prototype as unknown as Record<string, unknown>;
    for (const method of Object.getOwnPropertyNames(prototype)) {
      const discovery = Reflect.getMetadata(SlashCommand.KEY, prototype[method] as object) as SlashCommandDiscovery | undefined;
      if (!discovery) continue;
      // Options are collected against the handler Necord's explorer hands the discovery.
      discovery.setDiscoveryMeta({ class: type, handler: prototype[method] as (...args: unknown[]) => unknown });
      const json = discovery.toJSON() as unknown as CommandJson;
      expect(commands.has(json.name)).toBe(false);
      commands.set(json.name, json);
    }
  }
  return commands;
}

describe('wins slash command registration', () => {
  const commands = registeredCommands();

  it('registers exactly the commands of the issue, each with the options it lists, required ones first', () => {
    expect([...commands.keys()].sort()).toEqual(Object.keys(ISSUE_COMMANDS).sort());
    for (const [name, expected] of Object.entries(ISSUE_COMMANDS)) {
      const options = commands.get(name)!.options.map((option) => [option.name, option.type, option.required === true]);
      expect({ name, options }).toEqual({ name, options: expected });
    }
  });

  it('keeps names, descriptions and choices within what Discord accepts, so no registration batch is rejected', () => {
    for (const command of commands.values()) {
      expect(command.name).toMatch(/^[-_a-z0-9]{1,32}$/);
      expect(command.description.length).toBeGreaterThan(0);
      expect(command.description.length).toBeLessThanOrEqual(100);
      expect(command.type).toBe(ApplicationCommandType.ChatInput);
      for (const option of command.options) {
        expect(option.name).toMatch(/^[-_a-z0-9]{1,32}$/);
        expect(option.description.length).toBeGreaterThan(0);
        expect(option.description.length).toBeLessThanOrEqual(100);
        for (const choice of option.choices ?? []) expect(choice.name.length).toBeLessThanOrEqual(100);
      }
    }
  });

  it('makes every command usable inside servers only', () => {
    for (const command of commands.values()) expect({ [command.name]: command.contexts }).toEqual({ [command.name]: [InteractionContextType.Guild] });
  });

  it('puts the REST limits on the options Discord checks: wins 0-1,000,000, tags 2-5, player ids up to 64, mode choices, pages 1-1000', () => {
    const option = (command: string, name: string) => commands.get(command)!.options.find((candidate) => candidate.name === name)!;
    expect(option('roles_add', 'wins')).toMatchObject({ min_value: 0, max_value: 1_000_000 });
    expect(option('roles_remove', 'wins')).toMatchObject({ min_value: 0, max_value: 1_000_000 });
    expect(option('clan_tag_add', 'tag')).toMatchObject({ min_length: 2, max_length: 5 });
    expect(option('clan_tag_remove', 'tag')).toMatchObject({ min_length: 2, max_length: 5 });
    expect(option('link', 'player_id')).toMatchObject({ min_length: 1, max_length: 64 });
    expect(option('link_override', 'player_id')).toMatchObject({ min_length: 1, max_length: 64 });
    expect(option('audit', 'page')).toMatchObject({ min_value: 1, max_value: 1000 });
    expect(option('set_mode', 'mode').choices!.map((choice) => choice.value)).toEqual([...COUNTING_MODES]);
  });
});

describe('Necord wiring in the Herald module', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'herald-necord-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function necordOptions(env: Record<string, string>, role: HeraldModuleOptions['role'] = 'server'): NecordModuleOptions | null {
    const config = loadConfig({ HERALD_DATA_DIR: dir, ...env }, dir);
    const imports = (HeraldModule.forRoot({ config, role }).imports ?? []) as DynamicModule[];
    const necord = imports.find((module) => module?.module === NecordModule);
    if (!necord) return null;
    const provider = (necord.providers ?? []).find(
      (candidate: Provider) => typeof candidate === 'object' && 'provide' in candidate && candidate.provide === NECORD_MODULE_OPTIONS,
    ) as { useValue: NecordModuleOptions };
    return provider.useValue;
  }

  it('joins the gateway with a token, the Guilds intent only, the dev guild and the configured Discord API base', () => {
    const options = necordOptions({
      DISCORD_TOKEN: 'bot-token',
      DISCORD_DEV_GUILD_ID: '100000000000000001',
      DISCORD_API_URL: 'http://127.0.0.1:9/api',
    });
    expect(options).toMatchObject({
      token: 'bot-token',
      intents: [GatewayIntentBits.Guilds],
      development: ['100000000000000001'],
      rest: { api: 'http://127.0.0.1:9/api' },
    });
    expect(necordOptions({ DISCORD_TOKEN: 'bot-token' })).toMatchObject({ development: false });
  });

  it('stays off the gateway without a token, with DISCORD_GATEWAY=off, and in the CLI', () => {
    expect(necordOptions({})).toBeNull();
    expect(necordOptions({ DISCORD_TOKEN: 'bot-token', DISCORD_GATEWAY: 'off' })).toBeNull();
    expect(necordOptions({ DISCORD_TOKEN: 'bot-token' }, 'cli')).toBeNull();
  });
});
