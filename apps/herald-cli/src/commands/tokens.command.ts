import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import { ApiTokensReadModel, TokenService } from '@herald/identity';
import { withHerald } from '../cli-context';
import { print, table } from '../cli-output';
import { userId } from '../cli-arguments';

const cliContext = () => ({ source: 'cli' as const, actorId: 'operator', correlationId: randomUUID() });

export function tokensCommand(): Command {
  const tokens = new Command('tokens').description('personal API tokens (stored only as SHA-256 hashes)');
  tokens
    .command('create')
    .description('issue a token; the token itself is printed once, alone on the last line')
    .requiredOption('--user <id>', 'the user the token acts for', userId('--user'))
    .option('--scope <scope...>', 'scopes (default: user:<id>), e.g. guild:123:admin audit:123 audit:* operator')
    .option('--label <text>', 'a note to recognise the token by')
    .action((options: { user: string; scope?: string[]; label?: string }) =>
      withHerald(async (herald) => {
        const issued = await herald.get(TokenService).issue({
          userId: options.user,
          scopes: options.scope ?? [`user:${options.user}`],
          label: options.label,
          context: { ...cliContext(), userId: options.user },
        });
        process.stderr.write(`token ${issued.tokenId} issued for user ${options.user}\n`);
        print(issued.token);
      }),
    );
  tokens
    .command('list')
    .description("a user's tokens as the read model holds them (never the tokens themselves)")
    .requiredOption('--user <id>', 'the user', userId('--user'))
    .option('--json', 'NDJSON, one token a line')
    .action((options: { user: string; json?: boolean }) =>
      withHerald(async (herald) => {
        const views = await herald.get(ApiTokensReadModel).listForUser(options.user);
        if (options.json) return views.forEach((view) => print(JSON.stringify(view)));
        print(
          table(
            ['tokenId', 'scopes', 'label', 'issuedAt', 'revoked'],
            views.map((v) => [v.tokenId, v.scopes.join(' '), v.label ?? '', v.issuedAt, v.revoked ? 'yes' : 'no']),
          ),
        );
      }),
    );
  tokens
    .command('revoke')
    .description('revoke a token by its id')
    .requiredOption('--user <id>', 'the user the token belongs to', userId('--user'))
    .requiredOption('--token-id <id>', 'the id printed when it was issued')
    .action((options: { user: string; tokenId: string }) =>
      withHerald(async (herald) => {
        await herald.get(TokenService).revoke({ userId: options.user, tokenId: options.tokenId, context: { ...cliContext(), userId: options.user } });
        print(`token ${options.tokenId} revoked`);
      }),
    );
  return tokens;
}
