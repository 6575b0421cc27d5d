import type { INestApplication } from '@nestjs/common';
import { DiscoveryService, ExternalContextCreator, MetadataScanner, Reflector } from '@nestjs/core';
import {
  type APIModalInteractionResponseCallbackData,
  type ChatInputCommandInteraction,
  type JSONEncodable,
  MessageFlags,
  type ModalSubmitInteraction,
  PermissionsBitField,
} from 'discord.js';
import {
  Listener,
  type ListenerDiscovery,
  Modal,
  type ModalDiscovery,
  ModalsService,
  NecordExplorerService,
  SlashCommand,
  type SlashCommandDiscovery,
  SlashCommandsService,
  Subcommand,
} from 'necord';
// Not re-exported by the package index; it is what Necord wraps every handler with.
import { NecordContextCreator } from 'necord/dist/necord-context.creator';

/**
 * Runs Herald's slash commands, modals and listeners the way Necord does on the gateway (its
 * explorer, command and modal services, context creator: option resolution, subcommand routing,
 * exception filters), but with hand-made interactions, so tests need no Discord gateway. The
 * interactions answer like discord.js's and record what was sent.
 */

export interface InteractionInit {
  /** Null: the interaction came from a DM. */
  guildId: string | null;
  userId: string;
  roleIds?: string[];
  /** Discord permission bits of the member in the channel. */
  permissions?: bigint;
  /** Option values by option name: strings, numbers, booleans, `{ id }` for users and roles. */
  options?: Record<string, unknown>;
}

export interface ModalSubmitInit {
  guildId: string | null;
  userId: string;
  /** What the member typed, by text input custom id; an input left empty is `''`, as Discord sends it. */
  fields: Record<string, string>;
}

type AnswerMethod = 'deferReply' | 'reply' | 'editReply' | 'followUp' | 'showModal';

/** What the member ended up seeing. */
export interface Answer {
  content: string | undefined;
  ephemeral: boolean;
  /** Whether the handler deferred its reply first. */
  deferred: boolean;
  /** The modal shown, as discord.js sends it to Discord (built and validated by its builders). */
  modal: APIModalInteractionResponseCallbackData | undefined;
  /** Every answer the handler sent, in order. */
  calls: { method: AnswerMethod; content?: string; ephemeral?: boolean }[];
}

let interactionSequence = 0n;

export class DiscordHarness {
  private readonly commands = new SlashCommandsService(new Reflector());
  private readonly modals = new ModalsService();
  private readonly listeners: ListenerDiscovery[];

  constructor(app: INestApplication) {
    const explorer = new NecordExplorerService(
      new Reflector(),
      app.get(DiscoveryService),
      new MetadataScanner(),
      new NecordContextCreator(app.get(ExternalContextCreator)),
    );
    for (const command of explorer.explore(SlashCommand.KEY) as SlashCommandDiscovery[]) this.commands.add(command);
    // Subcommands hang under the root command their class's group decorator names, as on the gateway.
    for (const subcommand of explorer.explore(Subcommand.KEY) as SlashCommandDiscovery[]) this.commands.addSubCommand(subcommand);
    for (const modal of explorer.explore(Modal.KEY) as ModalDiscovery[]) this.modals.add(modal);
    this.listeners = explorer.explore(Listener.KEY) as ListenerDiscovery[];
  }

  /**
   * Runs `/name` as the member described, to the end (a failure is answered by the filter, not
   * thrown). A subcommand is named as a member types it: `fronting status`, `group sub command`.
   */
  async run(name: string, init: InteractionInit): Promise<Answer> {
    const [commandName, ...path] = name.split(' ');
    const command = this.commands.get(commandName);
    if (!command) throw new Error(`no slash command /${commandName}`);
    const { interaction, answer } = fakeCommandInteraction(commandName, path, init);
    await command.execute(interaction);
    return answer;
  }

  /** What Necord registers with Discord for `/name`: its options, or its subcommands with theirs. */
  registration(name: string): Record<string, unknown> {
    const command = this.commands.get(name);
    if (!command) throw new Error(`no slash command /${name}`);
    return command.toJSON() as unknown as Record<string, unknown>;
  }

  /** Submits the modal with this custom id, as Discord does when the member presses Submit. */
  async submitModal(customId: string, init: ModalSubmitInit): Promise<Answer> {
    const modal = this.modals.get(customId);
    if (!modal) throw new Error(`no modal handler for ${customId}`);
    const { interaction, answer } = fakeModalSubmit(customId, init);
    await modal.execute(interaction);
    return answer;
  }

  /** Delivers a gateway event to every listener of it. */
  async emit(event: string, ...args: unknown[]): Promise<void> {
    for (const listener of this.listeners.filter((candidate) => candidate.getEvent() === event)) await listener.execute(args);
  }
}

function fakeCommandInteraction(
  commandName: string,
  path: string[],
  init: InteractionInit,
): { interaction: ChatInputCommandInteraction; answer: Answer } {
  const { responses, answer } = fakeResponses();
  const inGuild = init.guildId !== null;
  const [group, subcommand] = path.length === 2 ? path : [null, path[0] ?? null];
  // Onto `responses`, not spread: `deferred` and `replied` are getters that must stay live.
  const interaction = Object.assign(responses, caller(init), {
    commandName,
    member: inGuild ? { roles: init.roleIds ?? [] } : null,
    memberPermissions: inGuild ? new PermissionsBitField(init.permissions ?? 0n) : null,
    options: optionResolver(init.options ?? {}, group, subcommand),
    isChatInputCommand: () => true,
    isModalSubmit: () => false,
  });
  return { interaction: interaction as unknown as ChatInputCommandInteraction, answer };
}

function fakeModalSubmit(customId: string, init: ModalSubmitInit): { interaction: ModalSubmitInteraction; answer: Answer } {
  const { responses, answer } = fakeResponses();
  const interaction = Object.assign(responses, caller(init), {
    customId,
    fields: {
      getTextInputValue(id: string): string {
        const value = init.fields[id];
        // discord.js throws when the submitted modal holds no such input.
        if (value === undefined) throw new TypeError(`Modal field "${id}" not found.`);
        return value;
      },
    },
    isChatInputCommand: () => false,
    isModalSubmit: () => true,
  });
  return { interaction: interaction as unknown as ModalSubmitInteraction, answer };
}

function caller(init: { guildId: string | null; userId: string }) {
  return {
    id: String(1_300_000_000_000_000_000n + interactionSequence++),
    guildId: init.guildId,
    user: { id: init.userId },
    inGuild: () => init.guildId !== null,
  };
}

/** The answering half of an interaction, with discord.js's rules on what may follow what. */
function fakeResponses() {
  const answer: Answer = { content: undefined, ephemeral: false, deferred: false, modal: undefined, calls: [] };
  const state = { deferred: false, replied: false };
  const respond = (method: AnswerMethod, options: unknown) => {
    const content = typeof options === 'string' ? options : (options as { content?: string } | undefined)?.content;
    const flags = typeof options === 'object' && options !== null ? Number((options as { flags?: unknown }).flags ?? 0) : 0;
    const ephemeral = (flags & MessageFlags.Ephemeral) !== 0;
    answer.calls.push({ method, content, ephemeral });
    return { content, ephemeral };
  };
  const responses = {
    get deferred() {
      return state.deferred;
    },
    get replied() {
      return state.replied;
    },
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
    async showModal(modal: JSONEncodable<APIModalInteractionResponseCallbackData> | APIModalInteractionResponseCallbackData) {
      if (state.deferred || state.replied) throw new Error('InteractionAlreadyReplied');
      // discord.js sends `toJSON()`, where the builders check what Discord would refuse.
      answer.modal = 'toJSON' in modal ? modal.toJSON() : modal;
      state.replied = true;
      respond('showModal', undefined);
    },
  };
  return { responses, answer };
}

/**
 * `interaction.options` as discord.js resolves it: a missing optional option is null, a missing
 * required one throws; the subcommand and its group are the ones the member typed.
 */
function optionResolver(values: Record<string, unknown>, group: string | null, subcommand: string | null) {
  const get = (name: string, required = false): unknown => {
    const value = values[name];
    if (value !== undefined && value !== null) return value;
    if (required) throw new TypeError(`Required option "${name}" not found.`);
    return null;
  };
  const named = (what: string, value: string | null, requiredByDefault: boolean) => (required = requiredByDefault) => {
    if (value === null && required) throw new TypeError(`No ${what} specified for interaction.`);
    return value;
  };
  return {
    getString: get,
    getInteger: get,
    getNumber: get,
    getBoolean: get,
    getUser: get,
    getRole: get,
    getMember: get,
    getSubcommand: named('subcommand', subcommand, true),
    getSubcommandGroup: named('subcommand group', group, false),
  };
}
