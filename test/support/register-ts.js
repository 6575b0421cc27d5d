/**
 * Lets a plain `node` child process run the TypeScript sources, as Jest does, without a build:
 *   node --require ./test/support/register-ts.js path/to/script.ts
 * It transpiles each `.ts` file with TypeScript's transpileModule (the options of tsconfig.json,
 * no type check) and resolves the `@herald/<lib>` aliases. Used by tests that need real separate
 * processes.
 */
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const ts = require('typescript');

const root = path.resolve(__dirname, '../..');
const tsconfig = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
    throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
  },
});
const compilerOptions = { ...tsconfig.options, sourceMap: false, inlineSourceMap: true, inlineSources: true };
const aliases = new Map(
  Object.entries(tsconfig.options.paths).map(([alias, [target]]) => [alias, path.join(root, target)]),
);

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveHeraldAlias(request, ...rest) {
  const target = aliases.get(request);
  return resolveFilename.call(this, target ?? request, ...rest);
};

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};

process.setSourceMapsEnabled(true);
