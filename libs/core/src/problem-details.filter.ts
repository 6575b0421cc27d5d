import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PROBLEM_CONTENT_TYPE, toProblemResponse } from './problem-details';

/**
 * Global filter answering every HTTP error as `application/problem+json` (RFC 9457). Unexpected
 * errors are logged here and answered with a generic 500 that reveals nothing about them.
 * Other transports (WebSocket, Discord) answer failures their own way with `toProblemResponse`.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') {
      this.logger.warn(`no problem+json answer outside HTTP (context ${host.getType()})`);
      return;
    }
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const { problem, headers, unexpected } = toProblemResponse(exception, request);
    if (unexpected) {
      this.logger.error(
        `${request.method} ${request.path} failed: ${describe(exception)}`,
        exception instanceof Error ? exception.stack : undefined,
      );
    }
    if (response.headersSent) {
      response.end();
      return;
    }
    response.status(problem.status).set(headers).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }
}

function describe(exception: unknown): string {
  return exception instanceof Error ? `${exception.name}: ${exception.message}` : String(exception);
}
