import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import {
  IsClanTag,
  isCountingMode,
  IsPlayerId,
  isPlayerId,
  IsSnowflake,
  isSnowflake,
  isSyncIntervalHours,
  isThresholdWins,
  normalizeClanTag,
} from './ids';

describe('snowflakes', () => {
  it.each([
    ['12345678901234567', true],
    ['12345678901234567890', true],
    ['1234567890123456', false],
    ['123456789012345678901', false],
    ['1234567890123456a', false],
    [' 12345678901234567', false],
    [12345678901234567, false],
  ])('%p is a snowflake: %p', (value, expected) => {
    expect(isSnowflake(value)).toBe(expected);
  });
});

describe('player ids', () => {
  it.each([
    ['q8ZfR2mK', true],
    ['a', true],
    ['a.b~c_d-e', true],
    ['x'.repeat(64), true],
    ['x'.repeat(65), false],
    ['', false],
    ['a/b', false],
    ['a b', false],
    ['..%2F', false],
    [null, false],
  ])('%p is a player id: %p', (value, expected) => {
    expect(isPlayerId(value)).toBe(expected);
  });
});

describe('clan tags', () => {
  it.each([
    ['abc', 'ABC'],
    [' Ab1 ', 'AB1'],
    ['AB', 'AB'],
    ['ABCDE', 'ABCDE'],
    ['A', null],
    ['ABCDEF', null],
    ['[ABC]', null],
    ['A B', null],
    ['', null],
    [undefined, null],
  ])('%p is stored as %p', (raw, stored) => {
    expect(normalizeClanTag(raw)).toBe(stored);
  });
});

describe('numbers and modes', () => {
  it.each([
    [0, true],
    [1_000_000, true],
    [-1, false],
    [1_000_001, false],
    [2.5, false],
    ['5', false],
  ])('%p wins is a threshold: %p', (value, expected) => {
    expect(isThresholdWins(value)).toBe(expected);
  });

  it.each([
    [1, true],
    [24, true],
    [0, false],
    [25, false],
    [1.5, false],
  ])('%p hours is a sync interval: %p', (value, expected) => {
    expect(isSyncIntervalHours(value)).toBe(expected);
  });

  it.each([
    ['total', true],
    ['sessions_since_link', true],
    ['sessions_with_clan', true],
    ['TOTAL', false],
    ['sessions', false],
  ])('%p is a counting mode: %p', (value, expected) => {
    expect(isCountingMode(value)).toBe(expected);
  });
});

describe('DTO decorators', () => {
  class LinkBody {
    @IsSnowflake()
    userId!: string;

    @IsSnowflake({ each: true })
    roleIds!: string[];

    @IsPlayerId()
    playerId!: string;

    @IsClanTag()
    tag!: string;
  }

  const messages = (body: object) =>
    validateSync(plainToInstance(LinkBody, body)).flatMap((error) => Object.values(error.constraints ?? {}));

  it('accepts valid fields, including a clan tag in lower case with spaces', () => {
    expect(messages({ userId: '12345678901234567', roleIds: ['12345678901234568'], playerId: 'q8ZfR2mK', tag: ' abc ' })).toEqual([]);
  });

  it('names each invalid field with its rule', () => {
    expect(messages({ userId: '42', roleIds: ['12345678901234568', 'x'], playerId: 'a/b', tag: 'A' }).sort()).toEqual([
      'each value in roleIds must be a Discord id of 17-20 digits',
      'playerId must be 1-64 letters, digits, _ . ~ or -',
      'tag must be 2-5 letters or digits',
      'userId must be a Discord id of 17-20 digits',
    ]);
  });
});
