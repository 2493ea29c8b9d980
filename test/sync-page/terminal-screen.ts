/**
 * What a terminal shows after `raw` was written to it: a small emulator of the control
 * sequences a progress bar uses (carriage return, line feed, cursor to column, erase in line,
 * save and restore the cursor); other sequences (cursor visibility, line wrapping) change
 * nothing on screen. Lines come back without trailing blanks.
 */
export function terminalScreen(raw: string): string[] {
  const lines: string[][] = [[]];
  let row = 0;
  let col = 0;
  let saved = { row: 0, col: 0 };
  // eslint-disable-next-line no-control-regex
  const tokens = /\x1b\[([?\d;]*)([A-Za-z])|\x1b([78])|(\r|\n)|([^\x1b\r\n])/gu;
  for (const [, params = '', command, saveRestore, control, char] of raw.matchAll(tokens)) {
    const line = (lines[row] ??= []);
    if (control === '\r') col = 0;
    else if (control === '\n') lines[++row] ??= [];
    else if (saveRestore === '7') saved = { row, col };
    else if (saveRestore === '8') ({ row, col } = saved);
    else if (command === 'G') col = Math.max(0, Number(params || '1') - 1);
    else if (command === 'K' && params === '2') line.length = 0;
    else if (command === 'K' && (params === '' || params === '0'))
      line.length = Math.min(line.length, col);
    else if (char !== undefined) {
      while (line.length < col) line.push(' ');
      line[col++] = char;
    }
  }
  return lines.map((l) => l.join('').trimEnd());
}
