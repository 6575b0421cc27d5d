import { Inject, Injectable } from '@nestjs/common';
import { type Document, READ_STORE, type ReadStore } from '@herald/readstore';
import {
  type FrontingSettingsView,
  frontingSettingsView,
  initialSystemState,
  pluralKitUpdaterView,
  type SystemState,
  type UpdaterView,
} from '../domain/system.decider';

/** User scope: one document, id `system`. */
export const FRONTING_COLLECTION = 'fronting';
export const SYSTEM_DOCUMENT_ID = 'system';

/** A token as the read model keeps it: whether it is set, and its last four characters; never the sealed value. */
export interface MaskedToken {
  lastFour: string;
}

/** The system's state as the decider folds it, with the tokens masked. */
export type MaskedSystemState = Omit<SystemState, 'simplyPluralToken' | 'pluralKitToken'> & {
  simplyPluralToken: MaskedToken | null;
  pluralKitToken: MaskedToken | null;
};

export interface FrontingDocument extends Document {
  state: MaskedSystemState;
}

export interface UpdatersView {
  pluralkit: UpdaterView;
}

export function maskSystemState(state: SystemState | MaskedSystemState): MaskedSystemState {
  const mask = (token: MaskedToken | null) => (token === null ? null : { lastFour: token.lastFour });
  return { ...state, simplyPluralToken: mask(state.simplyPluralToken), pluralKitToken: mask(state.pluralKitToken) };
}

/**
 * The views read only whether a token is set and its last four characters, which a masked state
 * keeps; this is the one place a masked state stands in for a full one.
 */
function asViewable(state: MaskedSystemState): SystemState {
  return state as unknown as SystemState;
}

/** Reads of the fronting read model; each user's document lives in that user's scope. */
@Injectable()
export class FrontingReadModel {
  constructor(@Inject(READ_STORE) private readonly store: ReadStore) {}

  async state(userId: string): Promise<MaskedSystemState> {
    const document = await this.store.forUser(userId).collection<FrontingDocument>(FRONTING_COLLECTION).get(SYSTEM_DOCUMENT_ID);
    return document?.state ?? maskSystemState(initialSystemState());
  }

  async settings(userId: string): Promise<FrontingSettingsView> {
    return frontingSettingsView(asViewable(await this.state(userId)));
  }

  async updaters(userId: string): Promise<UpdatersView> {
    return { pluralkit: pluralKitUpdaterView(asViewable(await this.state(userId))) };
  }
}
