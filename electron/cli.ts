/*
 * The NPC Studio command line, plain Node (no Electron), on a data folder:
 *
 *   npm run cli -- <command> [--data-dir DIR]      (npm run cli -- --help lists the commands)
 *
 * Takes the same data-folder lock as the app (exit 2 while a studio has the folder open) and the same exit
 * hooks. Exit codes: 0 done, 1 failed (one line on stderr says why), 2 usage error or folder in use.
 */
import { runCli } from './host/cli/run-cli';

const io = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`${line}\n`),
};

runCli(process.argv.slice(2), io).then(
  (code) => {
    // Let stdout drain to a pipe; something left holding the event loop must not keep the CLI alive.
    process.exitCode = code;
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (err: unknown) => {
    process.stderr.write(`npc-studio cli: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
