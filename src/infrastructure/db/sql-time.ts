/** the last Date formatted (an invalid one is never kept: NaN equals nothing) */
let last = { time: Number.NaN, text: '' };

/**
 * DATETIME(3) text in UTC (the connection's time zone) from an ISO string, a Date the driver
 * loaded, or text already in that form. Rows loaded by foldRows carry DATETIME columns as
 * Dates; rows written back must carry text, like every other cell. Also for a Date bound
 * through Sequelize's replacements, which would write it to whole seconds.
 */
export function sqlTime(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) {
    // The events of one append share their time, and a batch writes it once per row and table.
    const time = value.getTime();
    if (time !== last.time) last = { time, text: dateTimeText(value) };
    return last.text;
  }
  const text = String(value);
  if (/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(text)) return text;
  return dateTimeText(new Date(text));
}

const dateTimeText = (date: Date) => date.toISOString().slice(0, 23).replace('T', ' ');
