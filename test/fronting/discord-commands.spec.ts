import { ApplicationCommandOptionType, ComponentType, InteractionContextType, TextInputStyle } from 'discord.js';
import { isSealedSecret, streams } from '@herald/core';
import { FRONTING_SETUP_MODAL_ID, FrontingReadModel, PLURALKIT_MEMBERS_NOTE } from '@herald/fronting';
import { type Answer, DiscordHarness, type InteractionInit, type ModalSubmitInit } from '../support/discord-interactions';
import { waitFor } from '@herald/core/testing';
import { FrontingHarness, type FrontingUser, randomToken } from './fronting-harness';

const GUILD = '100000000000000044';

/** Every token this file hands Herald, good or bad: none may come back in any answer. */
const tokensSent = new Set<string>();
/** Every user who submitted the setup modal. */
const usersSeen = new Set<string>();

interface SetupFields {
  simplyPluralToken?: string;
  pluralKitToken?: string;
}

describe('/fronting on Discord, run through Necord against the real app', () => {
  let fronting: FrontingHarness;
  let discord: DiscordHarness;
  const answers: Answer[] = [];

  beforeAll(async () => {
    fronting = await FrontingHarness.start();
    discord = new DiscordHarness(fronting.herald.app);
  });
  afterAll(() => fronting?.close());

  /** In a DM unless a guild is given: the commands are per user and work in both. */
  const where = (userId: string, guildId: string | null = null): InteractionInit => ({ guildId, userId });

  async function run(subcommand: string, init: InteractionInit): Promise<Answer> {
    const answer = await discord.run(`fronting ${subcommand}`, init);
    answers.push(answer);
    return answer;
  }

  /** Submits the setup modal; a field not given is left empty, as Discord sends it. */
  async function submitSetup(userId: string, fields: SetupFields, guildId: string | null = null): Promise<Answer> {
    // Too short to be told apart from the rules' own words (`pk;token`): not a token a reply could leak.
    for (const token of Object.values(fields)) if (token && token.trim().length > 8) tokensSent.add(token.trim());
    usersSeen.add(userId);
    const init: ModalSubmitInit = {
      guildId,
      userId,
      fields: { simplyPluralToken: fields.simplyPluralToken ?? '', pluralKitToken: fields.pluralKitToken ?? '' },
    };
    const answer = await discord.submitModal(FRONTING_SETUP_MODAL_ID, init);
    answers.push(answer);
    return answer;
  }

  async function newUser(userId: string, seeds?: Parameters<FrontingHarness['user']>[1]): Promise<FrontingUser> {
    const user = await fronting.user(userId, seeds);
    tokensSent.add(user.simplyPluralToken).add(user.pluralKitToken);
    return user;
  }

  const head = () => fronting.herald.eventStore.headPosition();
  let userSequence = 500_000_000_000_000_100n;
  const nextUserId = () => String(userSequence++);
  const lastFour = (token: string) => token.slice(-4);

  async function status(userId: string, guildId: string | null = null): Promise<string> {
    await fronting.herald.projections.waitUntilCaughtUp();
    const answer = await run('status', where(userId, guildId));
    expect(answer).toMatchObject({ ephemeral: true });
    return answer.content!;
  }

  it('registers /fronting with the subcommands setup, enable, disable and status, none with options, in servers and DMs', () => {
    const json = discord.registration('fronting') as {
      name: string;
      description: string;
      contexts: InteractionContextType[];
      options: Array<{ type: ApplicationCommandOptionType; name: string; description: string; options?: unknown[] }>;
    };
    expect(json.contexts).toEqual([InteractionContextType.Guild, InteractionContextType.BotDM]);
    expect(json.options.map((option) => [option.name, option.type, option.options ?? []])).toEqual(
      ['setup', 'enable', 'disable', 'status'].map((name) => [name, ApplicationCommandOptionType.Subcommand, []]),
    );
    for (const { name, description } of [json, ...json.options]) {
      expect(name).toMatch(/^[-_a-z0-9]{1,32}$/);
      expect(description.length).toBeGreaterThan(0);
      expect(description.length).toBeLessThanOrEqual(100);
    }
  });

  it('answers /fronting setup with a modal of two optional, empty token inputs', async () => {
    const answer = await run('setup', where('500000000000000001', GUILD));

    expect(answer.calls.map((call) => call.method)).toEqual(['showModal']);
    const modal = answer.modal!;
    expect(modal.custom_id).toBe(FRONTING_SETUP_MODAL_ID);
    const inputs = modal.components.map((component) => {
      expect(component.type).toBe(ComponentType.Label);
      return (component as { component: { type: ComponentType; custom_id: string; style: TextInputStyle; required?: boolean; value?: string; placeholder?: string } }).component;
    });
    expect(inputs).toEqual([
      expect.objectContaining({ type: ComponentType.TextInput, custom_id: 'simplyPluralToken', style: TextInputStyle.Short, required: false }),
      expect.objectContaining({ type: ComponentType.TextInput, custom_id: 'pluralKitToken', style: TextInputStyle.Short, required: false }),
    ]);
    for (const input of inputs) {
      expect(input.value).toBeUndefined();
      expect(input.placeholder).toBe('Not set yet: paste the token here');
    }
  });

  it('saves valid tokens from the modal sealed, answers with the masked settings, and shows only their last four next time', async () => {
    const user = await newUser('500000000000000002');

    // A paste often brings a stray newline: it is not part of the token.
    const answer = await submitSetup(user.userId, { simplyPluralToken: `${user.simplyPluralToken}\n`, pluralKitToken: user.pluralKitToken });

    expect(answer).toMatchObject({ deferred: true, ephemeral: true });
    expect(answer.content).toBe(
      [
        'Saved your SimplyPlural and PluralKit tokens, encrypted; Herald never shows them again.',
        `SimplyPlural token: set, ends with \`${lastFour(user.simplyPluralToken)}\``,
        `PluralKit token: set, ends with \`${lastFour(user.pluralKitToken)}\``,
        'Switches to PluralKit: off',
        'Turn switches on with /fronting enable.',
      ].join('\n'),
    );
    const events = await fronting.herald.eventStore.readStream(streams.system(user.userId));
    expect(events).toHaveLength(1);
    const [changed] = events;
    expect(changed).toMatchObject({
      type: 'FrontingSettingsChanged',
      data: {
        simplyPluralToken: { lastFour: lastFour(user.simplyPluralToken) },
        pluralKitToken: { lastFour: lastFour(user.pluralKitToken) },
        enableToPluralKit: false,
        changed: ['simplyPluralToken', 'pluralKitToken'],
      },
      metadata: { source: 'discord', actorId: user.userId, userId: user.userId },
    });
    const data = changed.data as { simplyPluralToken: { sealed: unknown }; pluralKitToken: { sealed: unknown } };
    expect(isSealedSecret(data.simplyPluralToken.sealed)).toBe(true);
    expect(isSealedSecret(data.pluralKitToken.sealed)).toBe(true);
    expect(changed.metadata).not.toHaveProperty('guildId');

    await fronting.herald.projections.waitUntilCaughtUp();
    const again = await run('setup', where(user.userId));
    const placeholders = again.modal!.components.map((component) => (component as { component: { placeholder?: string } }).component.placeholder);
    expect(placeholders).toEqual([
      `Set (ends with ${lastFour(user.simplyPluralToken)}): leave empty to keep it`,
      `Set (ends with ${lastFour(user.pluralKitToken)}): leave empty to keep it`,
    ]);
  });

  it('keeps a token whose input was left empty, and changes nothing when both are', async () => {
    const user = await newUser('500000000000000003');
    await submitSetup(user.userId, { simplyPluralToken: user.simplyPluralToken, pluralKitToken: user.pluralKitToken });
    const replacement = randomToken();

    const one = await submitSetup(user.userId, { pluralKitToken: replacement }, GUILD);

    expect(one.content).toContain('Saved your PluralKit token, encrypted; Herald never shows it again.');
    expect(one.content).toContain(`SimplyPlural token: set, ends with \`${lastFour(user.simplyPluralToken)}\``);
    expect(one.content).toContain(`PluralKit token: set, ends with \`${lastFour(replacement)}\``);
    const [, second] = await fronting.eventsOf(user, 'FrontingSettingsChanged');
    expect(second.data.changed).toEqual(['pluralKitToken']);

    const before = await head();
    const none = await submitSetup(user.userId, {});
    expect(none).toMatchObject({ ephemeral: true });
    expect(none.content).toMatch(/^Both fields were empty: nothing changed\.\n/);
    expect(await head()).toBe(before);
  });

  it.each<[string, SetupFields, string]>([
    ['a SimplyPlural token that is too short', { simplyPluralToken: 'abc123' }, 'simplyPluralToken must be a SimplyPlural API token'],
    ['a SimplyPlural token with a space in it', { simplyPluralToken: `${randomToken().slice(0, 30)} ${randomToken().slice(0, 33)}` }, '64 letters'],
    ['the pk;token command instead of its answer', { pluralKitToken: 'pk;token' }, 'pluralKitToken must be a PluralKit token'],
    ['a PluralKit API key without its signature', { pluralKitToken: 'pkapi:eyJzeXN0ZW0iOjF9' }, 'or an API key starting with pkapi:'],
    ['a good PluralKit token next to a bad SimplyPlural one', { simplyPluralToken: 'x'.repeat(63), pluralKitToken: randomToken() }, '64 letters'],
  ])('answers %s with an ephemeral message naming the rule and appends nothing', async (_label, fields, rule) => {
    const userId = nextUserId();
    const before = await head();

    const answer = await submitSetup(userId, fields);

    expect(answer.ephemeral).toBe(true);
    expect(answer.content).toMatch(/^Invalid input: /);
    expect(answer.content).toContain(rule);
    expect(await head()).toBe(before);
    expect(await fronting.herald.eventStore.readStream(streams.system(userId))).toEqual([]);
  });

  it('refuses the same token for both services, appending nothing', async () => {
    const token = randomToken();
    const before = await head();
    const answer = await submitSetup(nextUserId(), { simplyPluralToken: token, pluralKitToken: token });
    expect(answer).toMatchObject({ ephemeral: true, content: 'Invalid input: pluralKitToken must differ from simplyPluralToken: the same token was given for both.' });
    expect(await head()).toBe(before);
  });

  it('refuses /fronting enable until both tokens are set, appending nothing', async () => {
    const user = await newUser('500000000000000004');
    const before = await head();
    const refused = await run('enable', where(user.userId, GUILD));
    expect(refused).toMatchObject({
      ephemeral: true,
      content: 'Invalid input: enableToPluralKit needs both tokens: set simplyPluralToken and pluralKitToken first.',
    });
    expect(await head()).toBe(before);

    await submitSetup(user.userId, { simplyPluralToken: user.simplyPluralToken });
    const half = await head();
    const stillRefused = await run('enable', where(user.userId));
    expect(stillRefused.content).toBe('Invalid input: enableToPluralKit needs both tokens: set pluralKitToken first.');
    expect(await head()).toBe(half);
    expect(await status(user.userId)).toContain('Switches to PluralKit: off\nBoth tokens are needed: add what is missing with /fronting setup.');
  });

  it('turns switches on and off; /fronting status shows the updater, its last switch and where PluralKit ids come from', async () => {
    const user = await newUser('500000000000000005');
    expect(await status(user.userId)).toBe(
      [
        'PluralKit updater: **disabled** (switches are off)',
        'Last error: none',
        'Last switch: none yet',
        'SimplyPlural token: not set',
        'PluralKit token: not set',
        'Switches to PluralKit: off',
        'Both tokens are needed: add what is missing with /fronting setup.',
        PLURALKIT_MEMBERS_NOTE,
      ].join('\n'),
    );
    await submitSetup(user.userId, { simplyPluralToken: user.simplyPluralToken, pluralKitToken: user.pluralKitToken });

    const enabled = await run('enable', where(user.userId, GUILD));

    expect(enabled).toMatchObject({ deferred: true, ephemeral: true });
    expect(enabled.content).toContain('Switches to PluralKit are on');
    expect(enabled.content).toContain(PLURALKIT_MEMBERS_NOTE);
    await waitFor('the switch is recorded', async () => (await fronting.eventsOf(user, 'SwitchPosted')).length === 1);
    expect(fronting.postedSwitches(user)).toEqual([['abcde', 'fghijk']]);
    const [posted] = await fronting.eventsOf(user, 'SwitchPosted');
    const at = Math.floor(Date.parse(posted.data.timestamp as string) / 1000);
    const running = await status(user.userId, GUILD);
    expect(running).toBe(
      [
        'PluralKit updater: **running** (PluralKit follows your SimplyPlural fronters)',
        'Last error: none',
        `Last switch: <t:${at}:f>`,
        `SimplyPlural token: set, ends with \`${lastFour(user.simplyPluralToken)}\``,
        `PluralKit token: set, ends with \`${lastFour(user.pluralKitToken)}\``,
        'Switches to PluralKit: on',
        PLURALKIT_MEMBERS_NOTE,
      ].join('\n'),
    );
    // The same member, the same answer, in a server or in a DM.
    expect(await status(user.userId)).toBe(running);

    const disabled = await run('disable', where(user.userId));
    expect(disabled).toMatchObject({ deferred: true, ephemeral: true });
    expect(disabled.content).toContain('Switches to PluralKit are off. Your tokens stay saved');
    const settings = await fronting.eventsOf(user, 'FrontingSettingsChanged');
    expect(settings.map((event) => event.data.enableToPluralKit)).toEqual([false, true, false]);
    const off = await status(user.userId);
    expect(off).toMatch(/^PluralKit updater: \*\*disabled\*\* \(switches are off\)\nLast error: none\nLast switch: <t:\d+:f>\n/);
    expect(off).toContain('Switches to PluralKit: off\nTurn switches on with /fronting enable.');
  });

  it('shows a token PluralKit rejected as the last error, with what to do about it', async () => {
    const user = await newUser('500000000000000006', { pluralKit: null });
    await submitSetup(user.userId, { simplyPluralToken: user.simplyPluralToken, pluralKitToken: user.pluralKitToken });
    await run('enable', where(user.userId));
    await waitFor('the rejection is recorded', async () => (await fronting.eventsOf(user, 'TokenRejected')).length === 1);

    const content = await status(user.userId);

    expect(content).toMatch(/^PluralKit updater: \*\*error\*\* \(the last attempt did not go through: see the last error\)\n/);
    expect(content).toContain('Last error: PluralKit rejected the token\nLast switch: none yet\nGive Herald a working token with /fronting setup.');
  });

  it('answers everything ephemerally, and no answer, event or read model holds a token in plain text', async () => {
    expect(answers.length).toBeGreaterThan(20);
    for (const answer of answers) {
      expect(answer.calls.every((call) => call.method === 'showModal' || call.ephemeral || call.method === 'editReply')).toBe(true);
      expect(answer.ephemeral || answer.modal !== undefined).toBe(true);
    }
    await fronting.herald.projections.waitUntilCaughtUp();
    const readModel = fronting.herald.app.get(FrontingReadModel);
    const documents = await Promise.all([...usersSeen].map((userId) => readModel.state(userId)));
    const everything = [JSON.stringify(answers), JSON.stringify(await fronting.herald.eventStore.readAll()), JSON.stringify(documents)].join('\n');
    expect(tokensSent.size).toBeGreaterThan(10);
    for (const token of tokensSent) {
      // Shape-checked tokens show only their last four characters; whole tokens never.
      expect(everything.includes(token)).toBe(false);
    }
  });
});
