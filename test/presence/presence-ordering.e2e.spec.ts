import { waitFor } from '@herald/core/testing';
import { PresenceHarness, type PresenceSocket, type PresenceUser, settle } from './presence-harness';

describe('presence order per user: a late or retried request never overwrites a newer status', () => {
  let harness: PresenceHarness;
  let ann: PresenceUser;
  let bob: PresenceUser;
  let bobSocket: PresenceSocket;
  let round = 0;

  beforeAll(async () => {
    harness = await PresenceHarness.start();
    [ann, bob] = await Promise.all([harness.user('520000000000000001'), harness.user('520000000000000002')]);
    await harness.follow(bob, ann);
    bobSocket = await harness.connect(bob);
  });
  afterAll(() => harness?.close());

  /** Two changes of one round, made a second apart by the client's clock. */
  function changes() {
    const base = Date.now() - 600_000 + (round += 1) * 10_000;
    return {
      earlier: { status: 'away', message: `earlier ${round}`, changedAt: new Date(base).toISOString() },
      later: { status: 'dnd', message: `later ${round}`, changedAt: new Date(base + 1_000).toISOString() },
    };
  }

  /** The later change is what the log ends with, what every viewer reads, and the last thing followers were sent. */
  async function expectLaterEverywhere(later: { status: string; message: string }): Promise<void> {
    const events = await harness.presenceEvents(ann);
    expect(events[events.length - 1]).toMatchObject({ status: later.status, message: later.message });
    for (const viewer of [ann, bob, undefined]) {
      expect((await harness.presenceOf([ann.userId], viewer))[ann.userId]).toMatchObject({ status: later.status, message: later.message });
    }
    await waitFor('followers to be sent the later change', () => bobSocket.about(ann.userId).some((m) => m.message === later.message));
    await settle(50);
    expect(bobSocket.about(ann.userId).at(-1)).toMatchObject({ status: later.status, message: later.message });
  }

  it('ends in the later of two concurrent updates, whichever arrives first', async () => {
    for (let i = 0; i < 10; i += 1) {
      const { earlier, later } = changes();
      const sent = i % 2 === 0 ? [later, earlier] : [earlier, later];
      const answers = await Promise.all(sent.map((body) => harness.setStatus(ann, body)));
      // Whatever each request was answered, no answer shows the earlier change after the later one was applied.
      expect(answers.map((a) => a.body.message)).toContain(later.message);
      await expectLaterEverywhere(later);
    }
  });

  it('ignores an earlier change that arrives after the later one, and answers with the current presence', async () => {
    const { earlier, later } = changes();
    await harness.setStatus(ann, later);
    const eventsBefore = (await harness.presenceEvents(ann)).length;
    const late = await harness.setStatus(ann, earlier);
    expect(late.body).toMatchObject({ userId: ann.userId, status: later.status, message: later.message });
    expect(await harness.presenceEvents(ann)).toHaveLength(eventsBefore);
    await expectLaterEverywhere(later);
  });

  it('ignores a retried request once a newer change was applied', async () => {
    const { earlier, later } = changes();
    await harness.setStatus(ann, earlier);
    await harness.setStatus(ann, later);
    await harness.setStatus(ann, earlier);
    const messages = (await harness.presenceEvents(ann)).slice(-2).map((e) => e.message);
    expect(messages).toEqual([earlier.message, later.message]);
    await expectLaterEverywhere(later);
  });
});
