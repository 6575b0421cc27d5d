import { interactionErrorMessage } from '@herald/discord';
import { NotFound } from '@herald/core';
import { UpstreamUnavailable } from '@herald/http-client';
import { WINS_ERROR_MESSAGES } from './interaction-errors';

describe('the wins commands’ error messages', () => {
  it('speak to the member about an unregistered server and an unreachable OpenFront', () => {
    const unregistered = new NotFound('Guild 1 is not registered with Herald.', { code: 'GUILD.NOT_REGISTERED' });
    expect(interactionErrorMessage(unregistered, WINS_ERROR_MESSAGES).content).toMatch(/^This server is not registered with Herald yet/);
    const down = new UpstreamUnavailable('openfront GET /public/player/x: 503 after 4 attempts', { upstream: 'openfront', status: 503, attempts: 4 });
    expect(interactionErrorMessage(down, WINS_ERROR_MESSAGES)).toEqual({
      content: 'OpenFront is not answering right now. Try again in a few minutes.',
      unexpected: false,
    });
  });
});
