import { ConsoleLogger, Logger } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { MessageFlags } from 'discord.js';
import { InvalidInput, NotFound } from '@herald/core';
import { UpstreamUnavailable } from '@herald/http-client';
import { InteractionErrorFilter, interactionErrorMessage } from './interaction-error.filter';

describe('interactionErrorMessage', () => {
  it('lists the broken option rules, each message once', () => {
    const error = new InvalidInput('Invalid fields: wins, roleId.', {
      errors: [
        { field: 'wins', messages: ['give wins, roleId or both'] },
        { field: 'roleId', messages: ['give wins, roleId or both'] },
      ],
    });
    expect(interactionErrorMessage(error)).toEqual({ content: 'Invalid input: give wins, roleId or both.', unexpected: false });
  });

  it("words a failure by its code: a feature's own text first, then the common one", () => {
    const removed = new NotFound('Guild 1 was removed.', { code: 'GUILD.REMOVED' });
    expect(interactionErrorMessage(removed, { 'GUILD.REMOVED': 'This server left Herald.' }).content).toBe('This server left Herald.');
    expect(interactionErrorMessage(removed).content).toBe('Guild 1 was removed.');
    const down = new UpstreamUnavailable('pluralkit GET /v2/systems/@me: 503 after 4 attempts', { upstream: 'pluralkit', status: 503, attempts: 4 });
    expect(interactionErrorMessage(down)).toEqual({
      content: 'A service Herald depends on is not answering right now. Try again in a few minutes.',
      unexpected: false,
    });
  });

  it('hides what an unexpected error says and marks it for the log', () => {
    expect(interactionErrorMessage(new Error('database path /var/lib/herald is locked'))).toEqual({
      content: "Something went wrong on Herald's side. It has been logged.",
      unexpected: true,
    });
  });
});

describe('InteractionErrorFilter', () => {
  const filter = new InteractionErrorFilter();
  // The last case logs a warning on purpose.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));

  function interactionIn(state: { deferred: boolean; replied: boolean }, failing = false) {
    const sent: Array<{ method: string; content?: string; ephemeral: boolean }> = [];
    const record = (method: string) => async (options: { content?: string; flags?: number }) => {
      if (failing) throw new Error('Unknown interaction');
      sent.push({ method, content: options.content, ephemeral: ((options.flags ?? 0) & MessageFlags.Ephemeral) !== 0 });
    };
    const interaction = {
      commandName: 'link',
      ...state,
      isRepliable: () => true,
      reply: record('reply'),
      editReply: record('editReply'),
      followUp: record('followUp'),
    };
    const host = new ExecutionContextHost([[interaction], null]);
    host.setType('necord');
    return { host, sent };
  }

  const failure = new NotFound('User 1 has no linked OpenFront player in this guild.');

  it('replies ephemerally when nothing was answered yet', async () => {
    const { host, sent } = interactionIn({ deferred: false, replied: false });
    await filter.catch(failure, host);
    expect(sent).toEqual([{ method: 'reply', content: failure.message, ephemeral: true }]);
  });

  it('edits a deferred reply, which stays as private as the deferral made it', async () => {
    const { host, sent } = interactionIn({ deferred: true, replied: false });
    await filter.catch(failure, host);
    expect(sent).toEqual([{ method: 'editReply', content: failure.message, ephemeral: false }]);
  });

  it('leaves a public answer in place and sends the failure as an ephemeral follow-up', async () => {
    const { host, sent } = interactionIn({ deferred: false, replied: true });
    await filter.catch(failure, host);
    expect(sent).toEqual([{ method: 'followUp', content: failure.message, ephemeral: true }]);
  });

  it("answers with a feature's own text when it was given one for the failure's code", async () => {
    const { host, sent } = interactionIn({ deferred: false, replied: false });
    const featureFilter = new InteractionErrorFilter({ 'RESOURCE.NOT_FOUND': 'Link your player first with /link.' });
    await featureFilter.catch(failure, host);
    expect(sent).toEqual([{ method: 'reply', content: 'Link your player first with /link.', ephemeral: true }]);
  });

  it('does not throw when the interaction can no longer be answered', async () => {
    const { host } = interactionIn({ deferred: false, replied: false }, true);
    await expect(filter.catch(failure, host)).resolves.toBeUndefined();
  });
});
