import { fillScopeTemplate, grants, isValidScope, scopesBeyond } from './scopes';

describe('grants', () => {
  it.each([
    { held: ['operator'], required: 'guild:123:admin', granted: true },
    { held: ['operator'], required: 'user:alice', granted: true },
    { held: ['operator'], required: 'audit:123', granted: true },
    { held: ['audit:*'], required: 'audit:123', granted: true },
    { held: ['audit:*'], required: 'audit:*', granted: true },
    { held: ['audit:*'], required: 'guild:123:admin', granted: false },
    { held: ['audit:*'], required: 'user:123', granted: false },
    { held: ['audit:123'], required: 'audit:123', granted: true },
    { held: ['audit:123'], required: 'audit:456', granted: false },
    { held: ['audit:123'], required: 'audit:*', granted: false },
    { held: ['guild:123:admin'], required: 'guild:123:admin', granted: true },
    { held: ['guild:123:admin'], required: 'guild:456:admin', granted: false },
    { held: ['guild:123:admin'], required: 'audit:123', granted: false },
    { held: ['user:alice'], required: 'user:alice', granted: true },
    { held: ['user:alice'], required: 'user:bob', granted: false },
    { held: ['user:alice'], required: 'user:alice2', granted: false },
    { held: ['user:alice', 'guild:1:admin'], required: 'guild:1:admin', granted: true },
    { held: [], required: 'user:alice', granted: false },
  ])('$held grants $required: $granted', ({ held, required, granted }) => {
    expect(grants(held, required)).toBe(granted);
  });
});

describe('isValidScope', () => {
  it.each([
    ['operator', true],
    ['user:80351110224678912', true],
    ['user:alice_B-2', true],
    ['guild:613425648685547541:admin', true],
    ['audit:613425648685547541', true],
    ['audit:*', true],
    ['Operator', false],
    ['user:', false],
    ['user:a b', false],
    ['user:' + 'x'.repeat(65), false],
    ['guild:abc:admin', false],
    ['guild:123', false],
    ['guild:123:owner', false],
    ['guild:123456789012345678901:admin', false],
    ['audit:abc', false],
    ['audit:*:x', false],
    ['user:*', false],
    ['', false],
  ])('%p is valid: %p', (scope, valid) => {
    expect(isValidScope(scope)).toBe(valid);
  });
});

describe('fillScopeTemplate', () => {
  it.each([
    { template: 'guild:{guildId}:admin', params: { guildId: '123' }, scope: 'guild:123:admin' },
    { template: 'user:{userId}', params: { userId: 'alice' }, scope: 'user:alice' },
    { template: 'operator', params: {}, scope: 'operator' },
  ])('fills $template from $params as $scope', ({ template, params, scope }) => {
    expect(fillScopeTemplate(template, params)).toBe(scope);
  });

  it.each([
    { params: { userId: 'alice:admin' } },
    { params: { userId: 'a b' } },
    { params: { userId: 'x'.repeat(65) } },
  ])('refuses to fill a scope from the parameters $params, naming the parameter', ({ params }) => {
    expect(() => fillScopeTemplate('user:{userId}', params)).toThrow(
      expect.objectContaining({ status: 400, errors: [expect.objectContaining({ field: 'userId' })] }),
    );
  });

  it('treats a template naming a parameter the route lacks as a bug', () => {
    expect(() => fillScopeTemplate('user:{userId}', {})).toThrow(/missing route parameter/);
  });
});

describe('scopesBeyond', () => {
  it.each([
    { held: ['operator'], requested: ['operator', 'audit:*'], beyond: [] },
    { held: ['user:alice'], requested: ['user:alice'], beyond: [] },
    { held: ['user:alice'], requested: ['user:alice', 'audit:*', 'operator'], beyond: ['audit:*', 'operator'] },
    { held: ['user:alice', 'audit:*'], requested: ['audit:42'], beyond: [] },
    { held: ['user:alice', 'audit:42'], requested: ['audit:*'], beyond: ['audit:*'] },
  ])('$held may not grant $beyond of $requested', ({ held, requested, beyond }) => {
    expect(scopesBeyond(held, requested)).toEqual(beyond);
  });
});
