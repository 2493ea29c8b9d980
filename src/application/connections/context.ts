import type { Decider, DomainEvent } from '../../domain/shared/decider.js';
import type { CommandHandler } from '../commands/command-handler.js';
import type { ApiRequestLog } from '../ports/api-request-log.js';
import type { EventStore } from '../ports/event-store.js';
import type { PersonalDataCipher } from '../ports/personal-data-cipher.js';
import type { ReadModelWaiter } from '../ports/read-model-waiter.js';
import type { Mutex } from '../ports/mutex.js';
import type { ConnectionProbes, VkIdLogin, VkLogin } from './ports.js';

export interface ConnectionsSettings {
  SECRET_KEY: string;
  BASE_URL: string;
  VK_OAUTH_URL: string;
  VK_APP_ID?: string | undefined;
  VK_APP_SECRET?: string | undefined;
  VK_ID_APP_ID?: string | undefined;
}

/** What the connection use cases are given. */
export interface ConnectionsDeps {
  store: EventStore;
  commands: CommandHandler;
  cipher: PersonalDataCipher;
  readModel: ReadModelWaiter;
  settings: ConnectionsSettings;
  /** every Evotor and VK call is written here (without secrets) */
  apiLog?: ApiRequestLog;
  /** live checks of Evotor and VK credentials (src/infrastructure/connections) */
  probes: ConnectionProbes;
  /** the VK login and pasted-token checks (src/infrastructure/connections) */
  vkLogin: VkLogin;
  /** VK ID sign-in and token refresh (src/infrastructure/connections) */
  vkId: VkIdLogin;
  /** one VK ID refresh per user at a time, across the web and every worker */
  mutex: Mutex;
}

/** The read model the connections page shows. */
export const CONNECTIONS_PROJECTION = 'connections';

/**
 * The owner's own command on a connection stream, then a wait until the connections page can
 * show it (read your own writes).
 */
export async function connectionCommand<Command, Event extends DomainEvent, State>(
  deps: Pick<ConnectionsDeps, 'commands' | 'readModel'>,
  decider: Decider<Command, Event, State>,
  streamId: string,
  userId: string,
  command: Command,
): Promise<void> {
  const result = await deps.commands.handle(decider, streamId, command, { actor: userId });
  await deps.readModel.waitFor(result.position, [CONNECTIONS_PROJECTION]);
}

/** A refusal the page shows next to a field (or above the form when `field` is absent). */
export class ConnectionError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ConnectionError';
  }
}
