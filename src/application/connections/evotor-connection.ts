import { evotorAccount, evotorAccountStream } from '../../domain/connections/evotor-account.js';
import type { ConnectionTestResult } from './ports.js';
import { connectionCommand, type ConnectionsDeps } from './context.js';
import { tokenFingerprint } from './fingerprint.js';
import { loadState } from '../commands/load-state.js';

/** The shop owner's Evotor connection: a token pasted by hand, disconnect, a live check. */
export class EvotorConnection {
  constructor(private readonly deps: ConnectionsDeps) {}

  async state(userId: string) {
    return loadState(this.deps.store, evotorAccount, evotorAccountStream(userId));
  }

  /** Saved as given (checking is the "Проверить" button): a wrong token can be fixed later. */
  async saveToken(userId: string, token: string): Promise<void> {
    const { cipher, settings } = this.deps;
    await connectionCommand(this.deps, evotorAccount, evotorAccountStream(userId), userId, {
      type: 'ReceiveEvotorToken',
      userId,
      tokenCiphertext: await cipher.encrypt(userId, token),
      tokenFingerprint: tokenFingerprint(settings.SECRET_KEY, token),
    });
  }

  async disconnect(userId: string): Promise<void> {
    await connectionCommand(this.deps, evotorAccount, evotorAccountStream(userId), userId, {
      type: 'DisconnectEvotor',
      userId,
    });
  }

  /** null when no token is saved. */
  async test(userId: string): Promise<ConnectionTestResult | null> {
    const state = await this.state(userId);
    if (!state.tokenCiphertext) return null;
    const token = await this.deps.cipher.decrypt(userId, state.tokenCiphertext);
    return this.deps.probes.checkEvotor(token, userId);
  }

  /** The check, with its outcome recorded (an event only when the health changes). */
  async recordHealth(userId: string, actor = 'system'): Promise<ConnectionTestResult | null> {
    const result = await this.test(userId);
    if (!result || !result.conclusive) return result;
    await this.deps.commands.handle(
      evotorAccount,
      evotorAccountStream(userId),
      {
        type: 'RecordEvotorHealth',
        userId,
        healthy: result.ok,
        reason: result.ok ? null : result.message,
      },
      { actor },
    );
    return result;
  }
}
