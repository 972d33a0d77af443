// The wasmpod command line: parses arguments with commander and dispatches to one file per command.
import { capacityFlags } from './capacity.js';
import { Command, CommanderError } from 'commander';
import { runCommand } from './run.js';
import { registerServerCommands } from './server-commands.js';
import { imageFlags, registerImageCommands } from './images.js';
import { registerBenchCommand } from './bench.js';

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  let code = 0;
  program
    .name('wasmpod')
    .description('Run Kubernetes pods of WebAssembly (WASI) containers, without root or a container engine')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  capacityFlags(imageFlags(program
    .command('run')))
    .description('run the pod in FILE in the foreground; exits with the status of the pod')
    .argument('<file>', 'a Pod manifest, YAML or JSON (ConfigMaps and Secrets may be in the same file)')
    .option('-o, --output <format>', 'print the final PodStatus at the end: json or yaml')
    .option('--state-dir <dir>', 'where logs are kept (default $WASMPOD_STATE_DIR or $XDG_STATE_HOME/wasmpod)')
    .option('--backoff-base <ms>', 'restart back-off base in milliseconds, doubling per restart after an immediate first one (Kubernetes: 10000)')
    .option('--events', 'print pod events and status changes (Init:0/1, Running, CrashLoopBackOff...) to stderr as they happen')
    .option('-p, --publish <[ip:]host:pod>', 'publish a pod port on the host while the pod runs (repeatable; ip default 127.0.0.1)',
      (v: string, all: string[] = []) => [...all, v])
    .action(async (file: string, opts) => {
      code = await runCommand(file, opts, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin });
    });
  registerServerCommands(program, (c) => { code = c; });
  registerImageCommands(program, (c) => { code = c; });
  registerBenchCommand(program, (c) => { code = c; }, argv);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    const e = err as Error & { code?: string };
    // A failure the server reported is printed as kubectl prints it (`Error from server (NotFound): ...`), unprefixed.
    process.stderr.write(e.code === 'ERR_SERVER' ? `${e.message}\n` : `wasmpod: ${e.message}\n`);
    return 1;
  }
  return code;
}
