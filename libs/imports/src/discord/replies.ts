import { discordTime, fitMessage } from '@herald/discord';
import type { ConnectLink } from '../commands/authorization-flow';
import type { IntegrationStatus, IntegrationView } from '../projections/integration-views';
import type { SyncResult } from '../reactors/integration-syncs';

// The texts of the /integrations replies: pure functions of the views and results.

const STATUS_TEXTS: Record<IntegrationStatus, string> = {
  not_connected: 'not connected',
  ok: 'connected',
  partial: 'connected; the last sync read only some values',
  error: 'connected; the last sync failed',
  rate_limited: 'connected; waiting for its hourly request limit to refill',
  reconnect_needed: 'it no longer accepts Herald: connect it again',
  disabled: 'connected, hourly syncs paused',
};

/** One plugin's lines: status, last sync, what went wrong, and a connect link where one helps. */
function integrationLines(view: IntegrationView, link: ConnectLink | undefined): string[] {
  const head = `${view.icon} **${view.name}** (\`${view.id}\`): ${view.configured || view.connected ? STATUS_TEXTS[view.status] : 'not available yet (the operator has not configured it)'}`;
  const lines = [head];
  if (view.lastSync) lines.push(`  last sync ${discordTime(view.lastSync)}`);
  if (view.retryAt) lines.push(`  syncing resumes ${discordTime(view.retryAt)}`);
  for (const problem of view.problems) lines.push(`  ⚠ ${problem.message}`);
  if (link) lines.push(`  Connect: <${link.url}> (for you only, once, until ${discordTime(link.expiresAt, 'f')})`);
  else if (view.connected && view.status !== 'reconnect_needed') lines.push(`  Sync now: \`/integrations sync plugin:${view.id}\``);
  return lines;
}

export function integrationsText(views: readonly IntegrationView[], links: ReadonlyMap<string, ConnectLink>): string {
  if (views.length === 0) return 'Herald has no integrations to offer.';
  const blocks = views.map((view) => integrationLines(view, links.get(view.id)).join('\n'));
  return fitMessage(['Your integrations (values are imported every hour; read them at GET /api/v1/me/metrics):', ...blocks].join('\n'));
}

export function syncResultText(name: string, result: SyncResult): string {
  const range = `${result.startDate} to ${result.endDate}`;
  const head: Record<SyncResult['outcome'], string> = {
    ok: `Synced ${name} for ${range}: ${result.daysRead} days read, ${result.valuesImported} values new or changed.`,
    partial: `Synced ${name} for ${range}, in part: ${result.daysRead} days read, ${result.valuesImported} values new or changed.`,
    error: `${name} could not be synced for ${range}.`,
    rate_limited: `${name} could not be synced now.`,
    reconnect_needed: `${name} could not be synced.`,
  };
  return fitMessage([head[result.outcome], ...result.problems.map((problem) => `⚠ ${problem.message}`)].join('\n'));
}
