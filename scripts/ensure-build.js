// Builds dist/ when a source file is newer than the last build, so `npm run cli` works straight
// after `npm ci`. Output goes to stderr: stdout belongs to the CLI command.
const { execSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
// The build's last outputs: the server's (tsc) and the web console's (vite).
const markers = [join(root, 'dist', 'apps', 'herald-cli', 'src', 'main.js'), join(root, 'dist', 'web', 'index.html')];
const SOURCE = /\.(ts|vue|css|html)$/;

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (SOURCE.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const built = Math.min(...markers.map((marker) => (existsSync(marker) ? statSync(marker).mtimeMs : 0)));
if (built < Math.max(newestSource(join(root, 'apps')), newestSource(join(root, 'libs')))) {
  execSync('npm run --silent build', { cwd: root, stdio: ['ignore', process.stderr, process.stderr] });
}
