import { expect } from 'vitest';
import {
  comparePositions,
  WrongExpectedVersionError,
  type EventStore,
  type ExpectedRevision,
  type Position,
} from '../../src/application/ports/event-store.js';

export interface ContractContext {
  store(): EventStore;
  /** a prefix no other test uses: `ct-<run>-<n>-<label>-` */
  scope(label: string): string;
  /** an event type prefix no other test uses */
  typeScope(): string;
}

export { newEvent } from '../support/events.js';

export const ids = (events: Array<{ id: string }>) => events.map((e) => e.id);

export function expectStrictlyIncreasing(positions: Position[]): void {
  for (let i = 1; i < positions.length; i++) {
    expect(comparePositions(positions[i]!, positions[i - 1]!)).toBeGreaterThan(0);
  }
}

export async function expectWrongVersion(
  append: Promise<unknown>,
  streamId: string,
  expected: ExpectedRevision,
  actual: number | 'no_stream',
): Promise<void> {
  const error = await append.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WrongExpectedVersionError);
  const wrong = error as WrongExpectedVersionError;
  expect(wrong.streamId).toBe(streamId);
  expect(wrong.expected).toBe(expected);
  expect(wrong.actual).toBe(actual);
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
