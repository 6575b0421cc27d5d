/**
 * Lets a plain `node` child process run the TypeScript sources, as Jest does, without a build:
 *   node --require ./test/support/register-ts.js path/to/script.ts
 * It compiles each `.ts` file with SWC (same options as jest.config.js) and resolves the
 * `@herald/<lib>` aliases of tsconfig.json. Used by tests that need real separate processes.
 */
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '../..');
const aliases = new Map(
  Object.entries(require(path.join(root, 'tsconfig.json')).compilerOptions.paths).map(([alias, [target]]) => [
    alias,
    path.join(root, target),
  ]),
);

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveHeraldAlias(request, ...rest) {
  const target = aliases.get(request);
  return resolveFilename.call(this, target ?? request, ...rest);
};

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

process.setSourceMapsEnabled(true);
