// Lines that libraries print on every start and that tell a person nothing they can act on. They
// stay in the log files (for whoever debugs the library); `--verbose` leaves them off the terminal.

interface Noise {
  pattern: RegExp;
  /** Why it is safe to hide. */
  why: string;
}

export const NOISE: readonly Noise[] = [
  {
    pattern: /Removing initializer '[^']*'\. It is not used by any node/,
    why: "onnxruntime's graph optimizer dropping a constant the graph never reads; harmless, printed per constant",
  },
  {
    pattern: /"context":"(RouterExplorer|RoutesResolver|InstanceLoader)"/,
    why: 'NestJS listing every route and module it wired at start (the API docs at /docs list the routes)',
  },
];

export function isNoise(line: string): boolean {
  return NOISE.some(({ pattern }) => pattern.test(line));
}
