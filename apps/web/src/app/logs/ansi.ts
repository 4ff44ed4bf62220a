// CSI (`ESC [ … m`, cursor moves), OSC (`ESC ] … BEL` or `ESC \`) and two-byte escapes: what
// coloured terminal output leaves in a log line. The explorer shows the text without them.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}
