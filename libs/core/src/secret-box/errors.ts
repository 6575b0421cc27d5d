import { HeraldError } from '../errors';

/** The subject's key was deleted: what was sealed for it can never be opened again. */
export class SecretForgotten extends HeraldError {
  constructor() {
    super({
      code: 'SECRET.FORGOTTEN',
      status: 410,
      title: 'Secret forgotten',
      detail: 'The data key of this subject was deleted; its sealed values cannot be opened.',
    });
  }
}

/** A sealed value that is malformed, tampered with, or sealed for another subject. */
export class SecretUnreadable extends HeraldError {
  constructor(cause?: unknown) {
    super({
      code: 'SECRET.UNREADABLE',
      status: 500,
      title: 'Secret unreadable',
      detail: 'A sealed value failed authentication.',
      cause,
    });
  }
}

/** The configured master key has the wrong form. The message never repeats the value. */
export class MasterKeyInvalid extends Error {
  constructor(origin: string) {
    super(`${origin} must be 64 hexadecimal characters or the base64 encoding of 32 bytes`);
    this.name = 'MasterKeyInvalid';
  }
}
