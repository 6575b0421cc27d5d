import { reactive } from 'vue';
import { ApiError } from './api';
import { type FieldErrors, hasErrors } from './validation';

export interface FormState {
  /** Messages shown beside the fields the form has. */
  errors: FieldErrors;
  /** What went wrong that no field of the form shows (a 403, a conflict, a rule about the whole body). */
  message: string;
  /** What the last submit did, when it worked. */
  success: string;
  busy: boolean;
}

export interface Form {
  state: FormState;
  /**
   * Shows `clientErrors` and stops, or runs `action` and shows its outcome: the success text it
   * returns, or the API's field errors beside the fields and anything else as the form's message.
   */
  submit(clientErrors: FieldErrors, action: () => Promise<string | void>): Promise<boolean>;
  reset(): void;
}

/** A form's errors, outcome and busy state; `fields` are the field names it shows errors beside. */
export function useForm(fields: readonly string[] = []): Form {
  const state = reactive<FormState>({ errors: {}, message: '', success: '', busy: false });

  function reset(): void {
    state.errors = {};
    state.message = '';
    state.success = '';
  }

  function show(errors: FieldErrors, otherwise: string): void {
    const beside: FieldErrors = {};
    const elsewhere: string[] = [];
    for (const [field, messages] of Object.entries(errors)) {
      if (fields.includes(field)) beside[field] = messages;
      else elsewhere.push(...messages);
    }
    state.errors = beside;
    state.message = elsewhere.length > 0 ? elsewhere.join(' ') : hasErrors(beside) ? '' : otherwise;
  }

  async function submit(clientErrors: FieldErrors, action: () => Promise<string | void>): Promise<boolean> {
    reset();
    if (hasErrors(clientErrors)) {
      show(clientErrors, '');
      return false;
    }
    state.busy = true;
    try {
      state.success = (await action()) ?? '';
      return true;
    } catch (error) {
      if (error instanceof ApiError) show(error.fieldErrors, error.detail || error.title);
      else state.message = error instanceof Error ? error.message : String(error);
      return false;
    } finally {
      state.busy = false;
    }
  }

  return { state, submit, reset };
}
