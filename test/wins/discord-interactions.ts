import type { INestApplication } from '@nestjs/common';
import { DiscoveryService, ExternalContextCreator, MetadataScanner, Reflector } from '@nestjs/core';
import { type ChatInputCommandInteraction, MessageFlags, PermissionsBitField } from 'discord.js';
import { Listener, type ListenerDiscovery, NecordExplorerService, SlashCommand, type SlashCommandDiscovery } from 'necord';
// Not re-exported by the package index; it is what Necord wraps every handler with.
import { NecordContextCreator } from 'necord/dist/necord-context.creator';

/**
 * Runs Herald's slash commands and listeners the way Necord does on the gateway (its explorer and
 * context creator: option resolution, exception filters), but with hand-made interactions, so tests
 * need no Discord gateway. The interactions answer like discord.js's and record what was sent.
 */

export interface InteractionInit {
  /** Null: the command was used outside a server. */
  guildId: string | null;
  userId: string;
  roleIds?: string[];
  /** Discord permission bits of the member in the channel. */
  permissions?: bigint;
  /** Option values by option name: strings, numbers, booleans, `{ id }` for users and roles. */
  options?: Record<string, unknown>;
}

/** What the member ended up seeing. */
export interface Answer {
  content: string | undefined;
  ephemeral: boolean;
  /** Whether the command deferred its reply first. */
  deferred: boolean;
  /** Every answer the command sent, in order. */
  calls: { method: 'deferReply' | 'reply' | 'editReply' | 'followUp'; content?: string; ephemeral?: boolean }[];
}

let interactionSequence = 0n;

export class DiscordHarness {
  private readonly commands = new Map<string, SlashCommandDiscovery>();
  private readonly listeners: ListenerDiscovery[];

  constructor(app: INestApplication) {
    const explorer = new NecordExplorerService(
      new Reflector(),
      app.get(DiscoveryService),
      new MetadataScanner(),
      new NecordContextCreator(app.get(ExternalContextCreator)),
    );
    for (const command of explorer.explore(SlashCommand.KEY) as SlashCommandDiscovery[]) this.commands.set(command.getName(), command);
    this.listeners = explorer.explore(Listener.KEY) as ListenerDiscovery[];
  }

  commandNames(): string[] {
    return [...this.commands.keys()].sort();
  }

  /** Runs `/name` as the member described, to the end (a failure is answered by the filter, not thrown). */
  async run(name: string, init: InteractionInit): Promise<Answer> {
    const command = this.commands.get(name);
    if (!command) throw new Error(`no slash command /${name}`);
    const { interaction, answer } = fakeInteraction(name, init);
    await command.execute(interaction);
    return answer;
  }

  /** Delivers a gateway event to every listener of it. */
  async emit(event: string, ...args: unknown[]): Promise<void> {
    for (const listener of this.listeners.filter((candidate) => candidate.getEvent() === event)) await listener.execute(args);
  }
}

function fakeInteraction(commandName: string, init: InteractionInit): { interaction: ChatInputCommandInteraction; answer: Answer } {
  const answer: Answer = { content: undefined, ephemeral: false, deferred: false, calls: [] };
  const state = { deferred: false, replied: false };
  const inGuild = init.guildId !== null;
  const respond = (method: Answer['calls'][number]['method'], options: unknown) => {
    const content = typeof options === 'string' ? options : (options as { content?: string } | undefined)?.content;
    const flags = typeof options === 'object' && options !== null ? Number((options as { flags?: unknown }).flags ?? 0) : 0;
    const ephemeral = (flags & MessageFlags.Ephemeral) !== 0;
    answer.calls.push({ method, content, ephemeral });
    return { content, ephemeral };
  };
  const interaction = {
    id: String(1_300_000_000_000_000_000n + interactionSequence++),
    commandName,
    guildId: init.guildId,
    user: { id: init.userId },
    member: inGuild ? { roles: init.roleIds ?? [] } : null,
    memberPermissions: inGuild ? new PermissionsBitField(init.permissions ?? 0n) : null,
    options: optionResolver(init.options ?? {}),
    get deferred() {
      return state.deferred;
    },
    get replied() {
      return state.replied;
    },
    inGuild: () => inGuild,
    isRepliable: () => true,
    async deferReply(options?: unknown) {
      if (state.deferred || state.replied) throw new Error('InteractionAlreadyReplied');
      state.deferred = true;
      answer.deferred = true;
      answer.ephemeral = respond('deferReply', options).ephemeral;
    },
    async reply(options: unknown) {
      if (state.deferred || state.replied) throw new Error('InteractionAlreadyReplied');
      state.replied = true;
      ({ content: answer.content, ephemeral: answer.ephemeral } = respond('reply', options));
    },
    async editReply(options: unknown) {
      if (!state.deferred && !state.replied) throw new Error('InteractionNotReplied');
      state.replied = true;
      // An edit keeps the ephemeral choice made when deferring or replying.
      answer.content = respond('editReply', options).content;
    },
    async followUp(options: unknown) {
      if (!state.deferred && !state.replied) throw new Error('InteractionNotReplied');
      ({ content: answer.content, ephemeral: answer.ephemeral } = respond('followUp', options));
    },
  };
  return { interaction: interaction as unknown as ChatInputCommandInteraction, answer };
}

/** `interaction.options` as discord.js resolves it: a missing optional option is null, a missing required one throws. */
function optionResolver(values: Record<string, unknown>) {
  const get = (name: string, required = false): unknown => {
    const value = values[name];
    if (value !== undefined && value !== null) return value;
    if (required) throw new TypeError(`Required option "${name}" not found.`);
    return null;
  };
  return { getString: get, getInteger: get, getNumber: get, getBoolean: get, getUser: get, getRole: get, getMember: get };
}
