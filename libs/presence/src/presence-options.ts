export interface PresenceModuleOptions {
  /**
   * The server runs the presence workers: the WebSocket endpoint, the liveness checks, the lease
   * writer, the broadcast feed and the GetStream mirror. The CLI builds the module without them.
   */
  run: boolean;
}

export const PRESENCE_OPTIONS = Symbol('PRESENCE_OPTIONS');
