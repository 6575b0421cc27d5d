import { CommandBus } from '@nestjs/cqrs';
import {
  ConfigureGuildCommand,
  GuildSyncRuns,
  LinkPlayerCommand,
  RegisterGuildCommand,
  SyncGuildCommand,
  WinsReadModel,
} from '@herald/wins';
import { DiscordFake } from '../fakes/discord.fake';
import { OpenFrontFake } from '../fakes/openfront.fake';
import { type HeraldUnderTest, startHerald } from '../support/herald-test-app';

const GUILD = '100000000000000001';
const ALICE = '200000000000000001';
const ROLE_5 = '300000000000000005';
const ROLE_10 = '300000000000000010';
const context = { source: 'rest' as const, correlationId: 'c-1', actorId: 'operator' };

describe('wins sync engine (smoke)', () => {
  let openfront: OpenFrontFake;
  let discord: DiscordFake;
  let herald: HeraldUnderTest;
  let bus: CommandBus;

  beforeAll(async () => {
    openfront = await OpenFrontFake.start();
    discord = await DiscordFake.start();
    discord.addGuild(GUILD, {
      roles: [
        { id: ROLE_5, name: '5 wins', permissions: '0' },
        { id: ROLE_10, name: '10 wins', permissions: '0' },
      ],
    });
    discord.setMember(GUILD, ALICE, []);
    openfront.addPlayer('q8ZfR2mK');
    herald = await startHerald({
      OPENFRONT_API_URL: openfront.url,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_TOKEN: 'test-bot-token',
      DISCORD_GATEWAY: 'off',
    });
    bus = herald.app.get(CommandBus);
  });
  afterAll(async () => {
    await herald?.close();
    await openfront?.stop();
    await discord?.stop();
  });

  it('links, counts clan wins and gives the threshold role; an unchanged re-sync calls Discord not at all', async () => {
    await bus.execute(new RegisterGuildCommand(GUILD, 'Test guild', context));
    await bus.execute(new ConfigureGuildCommand({ type: 'AddClanTag', guildId: GUILD, tag: 'abc' }, context));
    await bus.execute(new ConfigureGuildCommand({ type: 'SetRoleThreshold', guildId: GUILD, wins: 5, roleId: ROLE_5 }, context));
    const linked = await bus.execute(new LinkPlayerCommand(GUILD, ALICE, 'q8ZfR2mK', 'member', context, true));
    expect(linked).toEqual({ playerId: 'q8ZfR2mK', username: 'Falcon', wins: 9 });
    expect(discord.memberRoles(GUILD, ALICE)).toEqual([ROLE_5]);

    const runs = herald.app.get(GuildSyncRuns);
    await runs.whenIdle(GUILD);
    discord.reset();
    const run = await bus.execute(new SyncGuildCommand(GUILD, { repairRoles: false }, context));
    const done = await run.done;
    expect(done).toMatchObject({ state: 'completed', checked: 1, changed: 0, failed: 0 });
    expect(discord.count()).toBe(0);

    await herald.projections.waitUntilCaughtUp();
    const player = await herald.app.get(WinsReadModel).player(GUILD, ALICE);
    expect(player).toMatchObject({ playerId: 'q8ZfR2mK', wins: 9, roleId: ROLE_5 });
  });
});
