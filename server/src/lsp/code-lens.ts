/**
 * Code lens above each scheduler: "Preview LR schedule", which opens the client's plot view for
 * that scheduler. Pure: plain lens objects; the client command receives (uri, line, character).
 */
import type { FileModel } from '../core/model';
import { canonicalKind } from '../core/schedule';
import type { Range } from '../core/types';
import { ClientCommands } from './protocol';

export const PREVIEW_TITLE = 'Preview LR schedule';

export interface ScheduleLens {
  range: Range;
  command: { title: string; command: string; arguments: [string, number, number] };
}

export function scheduleLenses(uri: string, model: FileModel): ScheduleLens[] {
  return model.schedulers.map((s) => {
    const at = { line: s.call.startPosition.row, character: s.call.startPosition.column };
    const known = canonicalKind(s.className) !== undefined;
    return {
      range: { start: at, end: at },
      command: {
        title: known ? PREVIEW_TITLE : `${PREVIEW_TITLE} (${s.className} is not simulated)`,
        command: ClientCommands.previewSchedule,
        arguments: [uri, at.line, at.character],
      },
    };
  });
}
