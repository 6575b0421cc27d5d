'use strict';
// Workloads a) to c). The systems of a workload run interleaved: each is opened on its own temp
// file and warmed up, then every round times each system in turn. Load from elsewhere on the machine
// (two shared cores) then falls on all of them alike, and each figure is the median of its rounds.
const { tempDir, timed, median } = require('./harness');
const { guildMembers, winsFeed, memberLog } = require('./events');

const members = guildMembers({ guildCount: 50, memberCount: 2000 });

/**
 * Runs `rows` (each `{ open, ... }`) for `rounds` rounds. `setUp(row, system)` prepares a system
 * (untimed) and returns its state; `prepareRound(state, round)` builds a round's input (untimed) and
 * returns `{ count, work }`, where `work` is what gets timed. A system that fails is reported with
 * its error and left out of later rounds; the others go on.
 */
async function interleaved(label, rows, rounds, { setUp, prepareRound }) {
  const runs = rows.map((row, index) => ({ row, temp: tempDir(`${label}-${index}`), rates: [], seconds: 0, count: 0 }));
  try {
    for (const run of runs) {
      try {
        run.system = await run.row.open(run.temp.file('events.db'));
        run.state = await setUp(run.row, run.system);
      } catch (error) {
        run.error = error;
      }
    }
    for (let round = 0; round < rounds; round++) {
      for (const run of runs) {
        if (run.error) continue;
        try {
          const { count, work } = prepareRound(run.state, round);
          const seconds = await timed(work);
          run.rates.push(count / seconds);
          run.seconds += seconds;
          run.count += count;
        } catch (error) {
          run.error = error;
        }
      }
    }
    return runs.map((run) =>
      run.error
        ? { error: run.error instanceof Error ? run.error.message : String(run.error) }
        : { rate: median(run.rates), rounds: run.rates.length, count: run.count, seconds: run.seconds, note: run.system.note?.() },
    );
  } finally {
    for (const run of runs) {
      await run.system?.close();
      run.temp.remove();
    }
  }
}

/**
 * Appends, one transaction each: per row `{ open, appends, warmUp, batchSize }`, `warmUp` appends
 * first, then `appends` split over the rounds. Each append writes `batchSize` WinsSynced events to a
 * member's stream, cycling over 2000 members; events are built before the clock starts. The rate is
 * in events per second (equal to appends per second when `batchSize` is 1).
 */
function appendWorkload(label, rows, rounds) {
  return interleaved(label, rows, rounds, {
    async setUp(row, system) {
      const state = { row, system, feed: winsFeed(), next: 0 };
      for (const { streamId, events } of nextBatches(state, row.warmUp)) await system.append(streamId, events);
      return state;
    },
    prepareRound(state) {
      const batches = nextBatches(state, Math.ceil(state.row.appends / rounds));
      return {
        count: batches.length * state.row.batchSize,
        work: async () => {
          for (const { streamId, events } of batches) await state.system.append(streamId, events);
        },
      };
    },
  });
}

function nextBatches(state, appends) {
  const batches = [];
  for (let i = 0; i < appends; i++) {
    const member = members[state.next++ % members.length];
    batches.push({ streamId: member.streamId, events: state.feed.batch(member, state.row.batchSize) });
  }
  return batches;
}

/**
 * Reads the whole log in global order: per row `{ open }`, a log of `eventsPerMember` × 2000 members
 * is written first (untimed, 100 events per append) and read once as a warm-up; each round is one
 * full read. The rate is in events per second.
 */
function readWorkload(label, rows, rounds, eventsPerMember) {
  return interleaved(label, rows, rounds, {
    async setUp(row, system) {
      let seeded = 0;
      for (const { streamId, events } of memberLog({ members, eventsPerMember, batchSize: 100 })) {
        await system.append(streamId, events);
        seeded += events.length;
      }
      const read = await system.readAll();
      if (read !== seeded) throw new Error(`read ${read} events of ${seeded}`);
      return { system, seeded };
    },
    prepareRound(state) {
      return {
        count: state.seeded,
        work: async () => {
          const read = await state.system.readAll();
          if (read !== state.seeded) throw new Error(`read ${read} events of ${state.seeded}`);
        },
      };
    },
  });
}

module.exports = { appendWorkload, readWorkload };
