import { Module } from '@nestjs/common';
import { HttpClientFactory } from './http-client.factory';

/** Gives feature modules the `HttpClientFactory`; needs `HeraldMetrics` from the application. */
@Module({ providers: [HttpClientFactory], exports: [HttpClientFactory] })
export class HttpClientModule {}
