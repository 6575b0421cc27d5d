import { Injectable, UseFilters } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Context, createCommandGroupDecorator, Options, type SlashCommandContext, Subcommand } from 'necord';
import { EPHEMERAL, GUILDS_AND_DMS, InteractionErrorFilter, NO_PINGS, userCall } from '@herald/discord';
import { type FieldError, InvalidInput } from '@herald/core';
import { isUserId, USER_ID_RULE } from '@herald/identity';
import { FollowUserCommand } from '../commands/follow-user.command';
import { SetPresenceCommand } from '../commands/set-presence.command';
import { UnfollowUserCommand } from '../commands/unfollow-user.command';
import { presenceInputErrors, type PresenceStatus } from '../domain/presence';
import { presenceSeenBy } from '../domain/privacy';
import { PresenceReadModel } from '../projections/presence.read-model';
import { FollowOptions, SetPresenceOptions, ShowPresenceOptions, UnfollowOptions } from './presence-options';
import { followText, ownPresenceText, userPresenceText } from './presence-replies';

/** `/presence …`: about the caller alone, so usable in a server and in a DM with the bot. */
const PresenceGroup = createCommandGroupDecorator({
  name: 'presence',
  description: 'Your presence, and the presence of the people you follow',
  contexts: GUILDS_AND_DMS,
});

/** /presence set, show, follow, unfollow. A Discord user's Herald id is their Discord id. */
@Injectable()
@PresenceGroup()
@UseFilters(new InteractionErrorFilter())
export class PresenceCommands {
  constructor(
    private readonly bus: CommandBus,
    private readonly readModel: PresenceReadModel,
  ) {}

  @Subcommand({ name: 'set', description: 'Set your status, with an optional message and DAW' })
  async onSet(@Context() [interaction]: SlashCommandContext, @Options() { status, message, daw }: SetPresenceOptions): Promise<void> {
    const { userId, context } = userCall(interaction);
    refuseIfAny(presenceInputErrors({ status, message, daw }));
    await interaction.deferReply({ flags: EPHEMERAL });
    const view = await this.bus.execute(new SetPresenceCommand(userId, { status: status as PresenceStatus, message, daw }, context));
    await interaction.editReply({ content: ownPresenceText(view), allowedMentions: NO_PINGS });
  }

  @Subcommand({ name: 'show', description: "Show someone's presence, as their privacy settings allow" })
  async onShow(@Context() [interaction]: SlashCommandContext, @Options() { user }: ShowPresenceOptions): Promise<void> {
    const { userId } = userCall(interaction);
    refuseIfAny(userErrors(user));
    const view = presenceSeenBy(await this.readModel.snapshot(user.id), user.id, userId);
    await interaction.reply({ content: userPresenceText(user.id, view), flags: EPHEMERAL, allowedMentions: NO_PINGS });
  }

  @Subcommand({ name: 'follow', description: "Receive someone's presence changes on your Herald sockets" })
  async onFollow(@Context() [interaction]: SlashCommandContext, @Options() { user }: FollowOptions): Promise<void> {
    const { userId, context } = userCall(interaction);
    refuseIfAny(userErrors(user));
    await this.bus.execute(new FollowUserCommand(userId, user.id, context));
    await interaction.reply({ content: followText(user.id, true), flags: EPHEMERAL, allowedMentions: NO_PINGS });
  }

  @Subcommand({ name: 'unfollow', description: "Stop receiving someone's presence changes" })
  async onUnfollow(@Context() [interaction]: SlashCommandContext, @Options() { user }: UnfollowOptions): Promise<void> {
    const { userId, context } = userCall(interaction);
    refuseIfAny(userErrors(user));
    await this.bus.execute(new UnfollowUserCommand(userId, user.id, context));
    await interaction.reply({ content: followText(user.id, false), flags: EPHEMERAL, allowedMentions: NO_PINGS });
  }
}

function userErrors(user: { id: string }): FieldError[] {
  return isUserId(user.id) ? [] : [{ field: 'user', messages: [`user ${USER_ID_RULE}`] }];
}

function refuseIfAny(errors: FieldError[]): void {
  if (errors.length > 0) throw new InvalidInput(`Invalid fields: ${errors.map((error) => error.field).join(', ')}.`, { errors });
}
