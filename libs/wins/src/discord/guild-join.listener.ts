import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Context, type ContextOf, On, Once } from 'necord';
import { HERALD_CONFIG, type HeraldConfig, HeraldError, newCorrelationId } from '@herald/core';
import { RegisterGuildCommand } from '../commands/register-guild.command';
import { WinsState } from '../commands/wins-state';

/**
 * Registers the guilds the bot is in: a guild it joins (`guildCreate`), and at start-up the guilds
 * it joined while Herald was not running (discord.js raises no `guildCreate` for those).
 * Registering seeds the guild's admin roles from its roles with Administrator or Manage Server.
 */
@Injectable()
export class GuildJoinListener implements OnApplicationBootstrap {
  private readonly logger = new Logger(GuildJoinListener.name);

  constructor(
    private readonly bus: CommandBus,
    private readonly state: WinsState,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  onApplicationBootstrap(): void {
    const { token, gateway } = this.config.discord;
    if (token && !gateway) this.logger.log('DISCORD_GATEWAY=off: no slash commands; win roles still change over REST');
  }

  @On('guildCreate')
  async onGuildCreate(@Context() [guild]: ContextOf<'guildCreate'>): Promise<void> {
    await this.register(guild.id, guild.name);
  }

  @Once('clientReady')
  async onReady(@Context() [client]: ContextOf<'clientReady'>): Promise<void> {
    for (const guild of client.guilds.cache.values()) {
      if ((await this.state.guild(guild.id)).registered) continue;
      await this.register(guild.id, guild.name);
    }
  }

  /** Never throws: a guild that cannot be registered now is logged, and the bot goes on. */
  private async register(guildId: string, name: string): Promise<void> {
    try {
      const context = { source: 'discord' as const, correlationId: newCorrelationId(), guildId };
      const { created, state, missingThresholdRoleIds } = await this.bus.execute(new RegisterGuildCommand(guildId, name, context));
      if (created) {
        const admins = state.adminRoleIds.length > 0 ? state.adminRoleIds.join(', ') : 'none besides Administrator and Manage Server';
        this.logger.log(`guild ${guildId} (${name}) registered; admin roles: ${admins}`);
      }
      if (missingThresholdRoleIds.length > 0) {
        this.logger.warn(
          `guild ${guildId} (${name}): win roles ${missingThresholdRoleIds.join(', ')} no longer exist; ` +
            'an admin should set other roles with /roles_add or drop these with /roles_remove',
        );
      }
    } catch (error) {
      if (error instanceof HeraldError && error.code === 'GUILD.REMOVED') {
        this.logger.log(`guild ${guildId} (${name}): its Herald data was removed; it is not registered again`);
        return;
      }
      this.logger.error(`guild ${guildId} (${name}) not registered: ${(error as Error).message}`, (error as Error).stack);
    }
  }
}
