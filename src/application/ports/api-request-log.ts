/** One external call (Evotor or VK), as the admin log viewer shows it. */
export interface ApiRequestLogEntry {
  at: Date;
  service: 'evotor' | 'vk';
  /** HTTP method and, for VK, the API method: `POST market.add` */
  method: string;
  /** without query secrets (tokens are never part of it) */
  url: string;
  /** HTTP status, or null when no answer came */
  status: number | null;
  /** VK error code or a client-side error name, when the call failed */
  errorCode?: string | null;
  durationMs: number;
  /** redacted and cut to a few KB */
  requestExcerpt?: string | null;
  responseExcerpt?: string | null;
  /** the EvoSync user the call was made for */
  userId?: string | null;
}

/** Records are written in the background; `record` never throws and never blocks a call. */
export interface ApiRequestLog {
  record(entry: ApiRequestLogEntry): void;
  /** waits for buffered records to be written */
  flush(): Promise<void>;
}

export const nullApiRequestLog: ApiRequestLog = {
  record() {},
  async flush() {},
};
