'use strict';
// The fake SimplyPlural and fake PluralKit of workload h), in a process of their own (forked by
// fronting.js): real upstreams do not share Herald's event loop, and here they would add about 15 %
// to its CPU time (two HTTP servers and a websocket server answering every request Herald makes).
// The parent drives them over the IPC channel: { id, method, args } in, { id, result } or { id, error } out.
const { requireFake } = require('./feature-bench');

const { SimplyPluralFake } = requireFake('simplyplural');
const { PluralKitFake } = requireFake('pluralkit');

/** What the parent may ask; every answer is plain data. */
function methods(simplyPlural, pluralKit) {
  return {
    urls: () => ({ simplyPlural: simplyPlural.url, pluralKit: pluralKit.url }),
    /** Each system: both tokens, the SimplyPlural seed and fronters, the PluralKit seed. */
    addSystems: ({ systems }) => {
      for (const system of systems) {
        simplyPlural.addSystem(system.simplyPluralToken, system.simplyPlural);
        simplyPlural.setFronters(system.simplyPluralToken, system.fronters);
        pluralKit.addSystem(system.pluralKitToken, system.pluralKit);
      }
    },
    /** The same fronters for every token given, one after the other, as fast as the loop goes. */
    setFronters: ({ tokens, memberIds }) => {
      for (const token of tokens) simplyPlural.setFronters(token, memberIds);
      return Date.now();
    },
    authenticatedSockets: () => simplyPlural.authenticatedSocketCount(),
    pluralKitRequestCount: () => pluralKit.requests.length,
    /** PluralKit switches created since the request at index `since`. */
    switchesCreatedSince: ({ since }) => pluralKit.requests.slice(since).filter((r) => r.method === 'POST' && r.status === 200).length,
    /** PluralKit's request log since `since`, with the token each request carried (the parent knows them all). */
    pluralKitRequestsSince: ({ since }) =>
      pluralKit.requests.slice(since).map((r) => ({ method: r.method, status: r.status, at: r.at, token: r.headers.authorization })),
    currentFronters: ({ tokens }) => tokens.map((token) => pluralKit.currentFronters(token)),
    cpuUsage: () => process.cpuUsage(),
  };
}

async function main() {
  const options = JSON.parse(process.argv[2]);
  const simplyPlural = await SimplyPluralFake.start();
  const pluralKit = await PluralKitFake.start(options.pluralKit);
  const handlers = methods(simplyPlural, pluralKit);
  process.on('message', async ({ id, method, args }) => {
    if (method === 'stop') {
      await Promise.all([simplyPlural.stop(), pluralKit.stop()]);
      process.send({ id, result: null }, () => process.exit(0));
      return;
    }
    try {
      process.send({ id, result: await handlers[method](args ?? {}) });
    } catch (error) {
      process.send({ id, error: error instanceof Error ? error.message : String(error) });
    }
  });
  // The parent gone (ended, or killed): nothing left to serve.
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
