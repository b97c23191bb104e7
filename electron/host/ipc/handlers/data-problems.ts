import { join } from 'node:path';
import type { DataProblem } from '../../../../shared/contract';
import { SHUTDOWN_REPORT_FILE } from '../../lifecycle/shutdown-report';
import type { TranscriptProblem } from '../../npc/transcript-schema';
import type { StudioServices } from './services';

/** Damaged data files the stores found at start, for app.info: each says what the studio did about it. */
export function dataProblems(s: StudioServices): DataProblem[] {
  const problems: DataProblem[] = [];
  const settings = s.settings.problem();
  if (settings) problems.push({ area: 'settings', file: s.settings.file, message: settings });
  if (s.lastReport && 'problem' in s.lastReport) {
    problems.push({
      area: 'shutdown-report',
      file: join(s.info.dataDir, SHUTDOWN_REPORT_FILE),
      message: `The last shutdown report could not be read: ${s.lastReport.problem}`,
    });
  }
  for (const p of s.npcs.problems()) {
    problems.push({
      area: 'npc',
      file: p.file,
      message: `${p.fieldPath ? `${p.fieldPath}: ` : ''}${p.reason}; the file is kept as it is and this NPC is not loaded`,
    });
  }
  for (const p of s.lorebooks.problems()) {
    problems.push({
      area: 'lorebook',
      file: p.file,
      message: `${p.fieldPath ? `${p.fieldPath}: ` : ''}${p.reason}; the file is kept as it is and this lorebook is not loaded`,
    });
  }
  for (const p of s.usage.problemsOnOpen) {
    problems.push({
      area: 'usage',
      file: s.usage.file,
      message: `line ${p.line}: ${p.reason}${p.dropped ? '' : '; the line is kept and skipped'}`,
    });
  }
  return problems;
}

/** A conversation's problems as chat.history shows them. */
export function transcriptProblemText(p: TranscriptProblem): string {
  return `${p.line ? `line ${p.line}: ` : ''}${p.reason}${p.dropped || !p.line ? '' : '; the line is kept and skipped'}`;
}
