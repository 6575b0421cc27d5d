import { ApiError, errorFrom, fieldErrorsOf, path } from '../src/api';

describe('errors from Herald', () => {
  it('reads a problem+json answer into a typed error with messages by field', async () => {
    const response = new Response(
      JSON.stringify({
        type: 'https://herald.dev/problems/input-invalid',
        title: 'Invalid input',
        status: 400,
        detail: 'Invalid fields: message, daw.',
        errors: [
          { field: 'message', messages: ['message must be at most 255 characters'] },
          { field: 'daw', messages: ['daw must be at most 64 characters'] },
          { field: 'daw', messages: ['daw is odd'] },
        ],
      }),
      { status: 400, headers: { 'Content-Type': 'application/problem+json' } },
    );

    const error = await errorFrom(response);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, title: 'Invalid input', detail: 'Invalid fields: message, daw.' });
    expect(error.fieldErrors).toEqual({
      message: ['message must be at most 255 characters'],
      daw: ['daw must be at most 64 characters', 'daw is odd'],
    });
  });

  it('keeps the status of an answer that is no JSON at all', async () => {
    const error = await errorFrom(new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    expect(error).toMatchObject({ status: 502, title: 'Bad Gateway', detail: '', fieldErrors: {} });
  });

  it('ignores malformed field errors rather than failing on them', () => {
    expect(fieldErrorsOf([{ field: 'a', messages: ['one', 2] }, { field: 3 }, null, 'x'])).toEqual({ a: ['one'] });
    expect(fieldErrorsOf(undefined)).toEqual({});
  });
});

describe('paths', () => {
  it('encodes every interpolated value, so an id cannot reach another route', () => {
    expect(path`/api/v1/guilds/${'123'}/clan-tags/${'A/B?c'}`).toBe('/api/v1/guilds/123/clan-tags/A%2FB%3Fc');
    expect(path`/api/v1/guilds/${'1'}/role-thresholds/${10}`).toBe('/api/v1/guilds/1/role-thresholds/10');
  });
});
