import { Body, Controller, Get, type INestApplication, Module, Post, Query } from '@nestjs/common';
import { APP_FILTER, APP_PIPE, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import request from 'supertest';
import { EventStoreUnavailable, WrongExpectedRevision } from '@herald/eventstore';
import { ReadStoreUnavailable } from '@herald/readstore';
import { NotFound, TooManyRequests, Unauthenticated } from './errors';
import { ProblemDetailsFilter } from './problem-details.filter';
import { createValidationPipe } from './validation-pipe';

class ItemDto {
  @IsString()
  label: string;
}

class CreateThingDto {
  @IsString()
  name: string;

  @IsInt()
  count: number;

  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => ItemDto)
  items?: ItemDto[];
}

class ListThingsQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page?: number;
}

@Controller('things')
class ThingsController {
  @Post()
  create(@Body() body: CreateThingDto) {
    return { created: body.name };
  }

  @Get()
  list(@Query() query: ListThingsQuery) {
    return { page: query.page ?? 1 };
  }

  @Get('conflict')
  conflict() {
    throw new WrongExpectedRevision('guild-1', 3, 4);
  }

  @Get('event-store-down')
  eventStoreDown() {
    throw new EventStoreUnavailable('SQLITE_BUSY on /srv/herald/data/events.sqlite');
  }

  @Get('read-store-down')
  readStoreDown() {
    throw new ReadStoreUnavailable('connect ECONNREFUSED mongodb://admin:hunter2@db');
  }

  @Get('missing')
  missing() {
    throw new NotFound('No such thing.', { code: 'THING.NOT_FOUND' });
  }

  @Get('busy')
  busy() {
    throw new TooManyRequests('Slow down.', { retryAfterSeconds: 3 });
  }

  @Get('anonymous')
  anonymous() {
    throw new Unauthenticated('A bearer token is required.');
  }

  @Get('bug')
  bug() {
    throw new Error('undefined is not a function at /srv/herald/internal.js');
  }
}

@Module({
  controllers: [ThingsController],
  providers: [
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    { provide: APP_PIPE, useFactory: createValidationPipe },
  ],
})
class ThingsModule {}

const BODY_LIMIT = 1024;

describe('ProblemDetailsFilter', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const express = await NestFactory.create<NestExpressApplication>(ThingsModule, { bodyParser: false, logger: false });
    express.useBodyParser('json', { limit: BODY_LIMIT });
    app = await express.init();
  });

  afterAll(() => app.close());

  const http = () => request(app.getHttpServer());
  const postJson = (text: string) => http().post('/things').set('Content-Type', 'application/json').send(text);

  it.each([
    {
      problem: 'malformed JSON',
      send: () => postJson('{"name": hrld_SECRETVALUE'),
      status: 400,
      type: 'input-malformed-json',
      fields: ['body'],
    },
    {
      problem: 'a JSON array instead of an object',
      send: () => postJson('[{"name": "a", "count": 1}]'),
      status: 400,
      type: 'input-invalid',
      fields: ['body'],
    },
    {
      problem: 'an oversized body',
      send: () => postJson(JSON.stringify({ name: 'x'.repeat(BODY_LIMIT), count: 1 })),
      status: 400,
      type: 'input-body-too-large',
      detail: /1024 bytes/,
      fields: ['body'],
    },
    {
      problem: 'an unknown field',
      send: () => postJson(JSON.stringify({ name: 'a', count: 1, colour: 'red' })),
      status: 400,
      type: 'input-invalid',
      fields: ['colour'],
    },
    {
      problem: 'wrong types',
      send: () => postJson(JSON.stringify({ name: 5, count: 'many' })),
      status: 400,
      type: 'input-invalid',
      fields: ['name', 'count'],
    },
    {
      problem: 'a wrong type inside a list',
      send: () => postJson(JSON.stringify({ name: 'a', count: 1, items: [{ label: 'ok' }, { label: 7 }] })),
      status: 400,
      type: 'input-invalid',
      fields: ['items[1].label'],
    },
    {
      problem: 'a bad query value',
      send: () => http().get('/things?page=abc'),
      status: 400,
      type: 'input-invalid',
      fields: ['page'],
    },
    {
      problem: 'an unknown query parameter',
      send: () => http().get('/things?pages=2'),
      status: 400,
      type: 'input-invalid',
      fields: ['pages'],
    },
    { problem: 'an unknown route', send: () => http().get('/nowhere'), status: 404, type: 'http-not-found' },
    { problem: 'a Herald NotFound', send: () => http().get('/things/missing'), status: 404, type: 'thing-not-found' },
    {
      problem: 'a conflict that survived retries',
      send: () => http().get('/things/conflict'),
      status: 409,
      type: 'stream-concurrency-conflict',
    },
    {
      problem: 'an unreachable event store',
      send: () => http().get('/things/event-store-down'),
      status: 503,
      type: 'store-unavailable',
    },
    {
      problem: 'an unreachable read store',
      send: () => http().get('/things/read-store-down'),
      status: 503,
      type: 'store-unavailable',
    },
    { problem: 'too many requests', send: () => http().get('/things/busy'), status: 429, type: 'rate-limited' },
    {
      problem: 'a missing token',
      send: () => http().get('/things/anonymous'),
      status: 401,
      type: 'auth-unauthenticated',
    },
    { problem: 'an unexpected error', send: () => http().get('/things/bug'), status: 500, type: 'server-internal' },
  ])('answers $problem with a $status problem+json', async ({ send, status, type, fields, detail }) => {
    const response = await send();

    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ type: `https://herald.dev/problems/${type}`, status });
    expect(typeof response.body.title).toBe('string');
    if (detail) expect(response.body.detail).toMatch(detail);
    if (fields) {
      expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(fields);
      for (const field of fields) expect(`${response.body.detail} ${response.body.errors[0].messages}`).toContain(field);
    }
  });

  it('never echoes the body, a path or a store message back', async () => {
    const responses = await Promise.all([
      postJson('{"name": hrld_SECRETVALUE'),
      http().get('/things/event-store-down'),
      http().get('/things/read-store-down'),
      http().get('/things/bug'),
    ]);
    for (const response of responses) {
      expect(response.text).not.toMatch(/SECRETVALUE|\/srv\/herald|hunter2|undefined is not a function/);
    }
  });

  it('sends the headers an error requires', async () => {
    expect((await http().get('/things/anonymous')).headers['www-authenticate']).toBe('Bearer');
    expect((await http().get('/things/busy')).headers['retry-after']).toBe('3');
  });

  it('lets valid input through, converted to its declared types', async () => {
    await http().get('/things?page=2').expect(200, { page: 2 });
    await postJson(JSON.stringify({ name: 'a', count: 1, items: [{ label: 'x' }] })).expect(201, { created: 'a' });
  });
});
