'use strict';
// Realistic Herald event envelopes (DESIGN.md): the same events go to every store under test.
const { randomUUID } = require('node:crypto');

/** A small seeded PRNG (mulberry32), so every run writes the same shapes and sizes. */
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function snowflake(random) {
  let id = String(1 + Math.floor(random() * 9));
  for (let i = 0; i < 18; i++) id += Math.floor(random() * 10);
  return id;
}

function publicId(random) {
  let id = '';
  for (let i = 0; i < 8; i++) id += BASE62[Math.floor(random() * 62)];
  return id;
}

/** `guildCount` guilds with `memberCount` members spread evenly over them, each linked to an OpenFront player. */
function guildMembers({ guildCount, memberCount, seed = 42 }) {
  const random = seededRandom(seed);
  const guilds = Array.from({ length: guildCount }, () => snowflake(random));
  return Array.from({ length: memberCount }, (_, index) => {
    const guildId = guilds[index % guildCount];
    const userId = snowflake(random);
    return { guildId, userId, playerId: publicId(random), streamId: `guildmember-${guildId}_${userId}` };
  });
}

const START = Date.parse('2026-01-01T00:00:00.000Z');

function metadata(member, occurredAt, source) {
  return {
    guildId: member.guildId,
    userId: member.userId,
    actorId: source === 'scheduler' ? 'scheduler:wins-sync' : member.userId,
    source,
    correlationId: randomUUID(),
    causationId: randomUUID(),
    occurredAt: new Date(occurredAt).toISOString(),
    schemaVersion: 1,
  };
}

function playerLinked(member, occurredAt) {
  return {
    id: randomUUID(),
    type: 'PlayerLinked',
    data: { playerId: member.playerId, countingMode: 'total', linkedAt: new Date(occurredAt).toISOString() },
    metadata: metadata(member, occurredAt, 'discord'),
  };
}

/** What the wins scheduler records after polling a player's OpenFront sessions. */
function winsSynced(member, previousWins, newWins, occurredAt, random) {
  const newSessions = Array.from({ length: newWins }, () => publicId(random));
  return {
    id: randomUUID(),
    type: 'WinsSynced',
    data: {
      playerId: member.playerId,
      countingMode: 'total',
      previousWins,
      wins: previousWins + newWins,
      newWins,
      newSessionIds: newSessions,
      syncedAt: new Date(occurredAt).toISOString(),
    },
    metadata: metadata(member, occurredAt, 'scheduler'),
  };
}

const NOISE_TYPES = [
  {
    type: 'PresenceChanged',
    stream: (m) => `presence-${m.userId}`,
    data: (random) => ({ status: ['online', 'idle', 'dnd', 'offline'][Math.floor(random() * 4)], activity: 'OpenFront' }),
  },
  {
    type: 'FrontersObserved',
    stream: (m) => `system-${m.userId}`,
    data: (random) => ({ fronterIds: [publicId(random).slice(0, 5)], observedVia: 'simplyplural' }),
  },
  {
    type: 'DailyMetricsImported',
    stream: (m) => `integration-${m.userId}_fitbit`,
    data: (random) => ({ pluginId: 'fitbit', day: '2026-01-02', metrics: { steps: Math.floor(random() * 20000), restingHeartRate: 60 } }),
  },
];

/** An event of another feature, in that member's own stream for it (the noise a wins projection filters out). */
function noiseEvent(member, kind, occurredAt, random) {
  const noise = NOISE_TYPES[kind % NOISE_TYPES.length];
  const event = { id: randomUUID(), type: noise.type, data: noise.data(random), metadata: metadata(member, occurredAt, 'system') };
  return { streamId: noise.stream(member), event };
}

/** WinsSynced events per member, keeping each member's running win total. */
function winsFeed(seed = 7) {
  const random = seededRandom(seed);
  const wins = new Map();
  let clock = START;
  return {
    /** `count` consecutive WinsSynced events of one member. */
    batch(member, count) {
      const events = [];
      for (let i = 0; i < count; i++) {
        const previous = wins.get(member.userId) ?? 0;
        const newWins = Math.floor(random() * 3);
        wins.set(member.userId, previous + newWins);
        events.push(winsSynced(member, previous, newWins, (clock += 1000), random));
      }
      return events;
    },
  };
}

/**
 * The appends that build a realistic log, as `{ streamId, events }` in order: in each round every
 * member's stream gets `batchSize` events (the first one its PlayerLinked), then `noisePerRound`
 * events of other features follow in batches. Streams interleave the way a running server's do.
 */
function* memberLog({ members, eventsPerMember, batchSize, noisePerRound = 0, seed = 11 }) {
  const random = seededRandom(seed);
  const feed = winsFeed(seed + 1);
  const rounds = Math.ceil(eventsPerMember / batchSize);
  let noiseKind = 0;
  for (let round = 0; round < rounds; round++) {
    const count = Math.min(batchSize, eventsPerMember - round * batchSize);
    for (const member of members) {
      if (round === 0) yield { streamId: member.streamId, events: [playerLinked(member, START), ...feed.batch(member, count - 1)] };
      else yield { streamId: member.streamId, events: feed.batch(member, count) };
    }
    for (let written = 0; written < noisePerRound; written += batchSize) {
      const member = members[Math.floor(random() * members.length)];
      const kind = noiseKind++;
      const events = [];
      let streamId;
      for (let i = 0; i < Math.min(batchSize, noisePerRound - written); i++) {
        const noise = noiseEvent(member, kind, START + round * 86_400_000 + i, random);
        streamId = noise.streamId;
        events.push(noise.event);
      }
      yield { streamId, events };
    }
  }
}

module.exports = { guildMembers, winsFeed, memberLog };
