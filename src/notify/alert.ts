/** One notification: what happened, to which bridge, and the key under which repeats are merged. */
export interface Alert {
  /** Same key, same alert: at most one per dedupe window (e.g. "tick_failed:b1"). */
  readonly key: string;
  readonly level: 'info' | 'warning' | 'critical';
  readonly bridge?: string;
  /** Short, e.g. "lease lost". */
  readonly title: string;
  readonly text: string;
}

/** A place notifications go. `send` rejects on failure; the notifier retries. */
export interface Channel {
  readonly name: string;
  send(message: OutgoingMessage): Promise<void>;
}

/** An alert as sent: its text already redacted and with any "and N more" appended. */
export interface OutgoingMessage extends Alert {
  readonly time: string;
  /** Alerts of the same key suppressed since the last one sent. */
  readonly suppressed: number;
}

export function messageText(message: OutgoingMessage): string {
  const more = message.suppressed > 0 ? ` (and ${message.suppressed} more)` : '';
  return `[signal-bridge${message.bridge ? ` ${message.bridge}` : ''}] ${message.title}: ${message.text}${more}`;
}
