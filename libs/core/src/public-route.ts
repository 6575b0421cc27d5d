import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'herald:public-route';

/**
 * Open to anyone, without a token. It lives in core, not identity, so infrastructure routes
 * (metrics, health) can be marked without depending on the identity lib.
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);
