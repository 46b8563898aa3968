/**
 * Errors PyTorch raises, with the text of both versions.
 */
import type { TorchVersion } from './types';
import { PyError } from './pyvalue';

/** A Python exception raised by (emulated) PyTorch code, carrying both versions' texts. */
export class TorchError extends PyError {
  readonly message113?: string;
  readonly onlyIn?: TorchVersion;
  readonly argument?: string;

  constructor(
    pyType: string,
    message: string,
    opts: { message113?: string; onlyIn?: TorchVersion; argument?: string } = {},
  ) {
    super(pyType, message);
    this.message113 = opts.message113;
    this.onlyIn = opts.onlyIn;
    this.argument = opts.argument;
  }
}

/**
 * Raises for whichever version is simulated. `m2`/`m113` are the messages the two versions give;
 * pass undefined for a version that does not raise here.
 */
export function raiseFor(
  v2: boolean,
  pyType: string,
  m2: string | undefined,
  m113: string | undefined,
  argument?: string,
  type113: string = pyType,
): void {
  const msg = v2 ? m2 : m113;
  if (msg === undefined) return;
  const onlyIn: TorchVersion | undefined = m2 === undefined ? '1.13' : m113 === undefined ? '2.x' : undefined;
  const message113 = m113 !== undefined && (m113 !== m2 || onlyIn) ? m113 : undefined;
  throw new TorchError(v2 ? pyType : type113, m2 ?? (m113 as string), { message113, onlyIn, argument });
}
