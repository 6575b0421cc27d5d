import { type ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { type FieldError, InvalidInput } from './errors';

/** Refuses a body that is JSON but no object (`[1,2]`, `"text"`) before class-validator sees it. */
class HeraldValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    if (metadata.type === 'body' && value != null && !isObject && metadata.metatype && this.toValidate(metadata)) {
      throw new InvalidInput('Invalid field: body.', {
        errors: [{ field: 'body', messages: ['body must be a JSON object'] }],
      });
    }
    return super.transform(value, metadata);
  }
}

/**
 * The pipe every controller input goes through: unknown fields are refused rather than dropped,
 * DTOs are instantiated (`@Type` converts query strings), and every failure answers 400 with the
 * failing fields listed by path. Implicit conversion stays off: it would read `?flag=false` as true.
 */
export function createValidationPipe(): ValidationPipe {
  return new HeraldValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // Keep rejected values out of error objects: they may be tokens.
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => invalidInputFromValidationErrors(errors),
  });
}

export function invalidInputFromValidationErrors(errors: ValidationError[]): InvalidInput {
  const fields = flattenValidationErrors(errors);
  const names = fields.map((f) => f.field).join(', ');
  return new InvalidInput(`Invalid ${fields.length === 1 ? 'field' : 'fields'}: ${names}.`, { errors: fields });
}

/** Walks nested errors, naming each field by its path: `items[0].name`. */
export function flattenValidationErrors(errors: ValidationError[], parentPath = ''): FieldError[] {
  return errors.flatMap((error) => {
    const path = joinPath(parentPath, error.property);
    const own: FieldError[] = error.constraints ? [{ field: path, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], path)];
  });
}

function joinPath(parent: string, property: string): string {
  if (/^\d+$/.test(property)) return `${parent}[${property}]`;
  return parent === '' ? property : `${parent}.${property}`;
}
