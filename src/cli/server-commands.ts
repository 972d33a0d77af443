// The kubectl-like verbs of the CLI (apply, get, describe, logs, exec, port-forward, delete) and `serve`, registered on the program.
import type { Command } from 'commander';
import { capacityFlags } from './capacity.js';
import { serveCommand } from './serve.js';
import { imageFlags } from './images.js';
import { applyCommand, deleteCommand, describeCommand, getCommand } from './kube-verbs.js';
import { execCommand, logsCommand } from './kube-streams.js';
import { portForwardCommand } from './port-forward.js';

const io = () => ({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin });
const write = (s: string): void => void process.stdout.write(s);

/** Options every client verb takes: where the server is, and the namespace. */
function client(cmd: Command): Command {
  return cmd
    .option('-n, --namespace <ns>', 'the namespace (default: default)')
    .option('--state-dir <dir>', 'the state dir of the server to reach (its socket is <dir>/wasmpod.sock)')
    .option('--socket <path>', 'the unix socket of the server to reach');
}

export function registerServerCommands(program: Command, done: (code: number) => void): void {
  capacityFlags(imageFlags(program
    .command('serve')))
    .description('run the Kubernetes-style API server (kubectl works against it) until SIGINT or SIGTERM')
    .option('--socket <path>', 'unix socket to listen on, owner only (default <state-dir>/wasmpod.sock)')
    .option('--no-socket', 'do not listen on a unix socket')
    .option('--listen <host:port>', 'listen on TCP (TLS) as well; clients must send the bearer token')
    .option('--token <token>', 'the bearer token for TCP clients (default: a random one, printed)')
    .option('--token-file <file>', 'read the bearer token from a file')
    .option('--state-dir <dir>', 'where objects and logs are kept (default $WASMPOD_STATE_DIR or $XDG_STATE_HOME/wasmpod)')
    .option('--backoff-base <ms>', 'restart back-off base in milliseconds, doubling per restart after an immediate first one (Kubernetes: 10000)')
    .option('--pool-max-idle <n>', 'idle wasm workers kept for reuse from one burst to the next (default 64; 0 turns the pool off)')
    .option('--shared-workers <n>', 'run wasm containers in shared worker threads of n guests each (JSPI: Node 24 or later)')
    .option('--base-dir <dir>', 'the folder relative image paths of pods created through the API resolve against (default: the working directory)')
    .option('--event-ttl <duration>', 'how long an event is kept after it last happened, as kube-apiserver\'s (default 1h)')
    .option('--compaction-interval <duration>', 'how long past changes are kept for watches to resume from, as kube-apiserver\'s --etcd-compaction-interval (default 5m)')
    .action(async (opts) => done(await serveCommand(opts, io())));
  client(program.command('apply').description('create or update the objects of a manifest file on the server'))
    .requiredOption('-f, --filename <file>', 'a manifest: Pods, ConfigMaps, Secrets, YAML or JSON, several documents')
    .option('-o, --output <format>', 'print the applied objects as the server returned them: json, yaml or name')
    .action(async (opts) => done(await applyCommand(opts, write)));
  client(program.command('get').description('list objects (pods, configmaps, secrets, namespaces, events) or show some'))
    .argument('<type>', 'pods, configmaps, secrets, namespaces or events (or TYPE/NAME)')
    .argument('[names...]', 'names of objects to show')
    .option('-o, --output <format>', 'json, yaml, wide or name')
    .option('-l, --selector <selector>', 'label selector, e.g. app=web,tier!=db')
    .option('-A, --all-namespaces', 'list the objects of every namespace')
    .option('--no-headers', 'leave the header line out')
    .action(async (type: string, names: string[], opts) => done(await getCommand([type, ...names], opts, write)));
  client(program.command('describe').description('show a pod in detail, with its events'))
    .argument('<type>', 'pod (or pod/NAME)').argument('[name]', 'the pod')
    .action(async (type: string, name: string | undefined, opts) => done(await describeCommand(name === undefined ? [type] : [type, name], opts, write)));
  client(program.command('logs').description('print a container\'s log'))
    .argument('<pod>', 'the pod')
    .option('-c, --container <name>', 'the container (needed when the pod has several)')
    .option('-f, --follow', 'keep printing as the container writes, until it ends')
    .option('-p, --previous', 'the log of the previous run of the container')
    .option('--tail <lines>', 'only the last lines')
    .option('--timestamps', 'each line with its RFC 3339 time')
    .option('--since-seconds <n>', 'only lines of the last n seconds')
    .action(async (pod: string, opts) => done(await logsCommand(pod, opts, process.stdout, process.stderr)));
  client(program.command('exec').description('run a command in a running container: wasmpod exec POD -- CMD [ARGS...]'))
    .argument('<pod>', 'the pod').argument('<command...>', 'the command and its arguments (after --)')
    .option('-c, --container <name>', 'the container (default: the first)')
    .option('-i, --stdin', 'pass stdin to the command (it reads EOF when stdin ends)')
    .option('-t, --tty', 'ask for a terminal: refused, a WASI guest\'s stdio are pipes')
    .action(async (pod: string, command: string[], opts) => done(await execCommand(pod, command, opts, io())));
  client(program.command('port-forward').description('forward local ports to a pod\'s ports until Ctrl-C: wasmpod port-forward POD [LOCAL_PORT:]REMOTE_PORT...'))
    .argument('<pod>', 'the pod (POD or pod/POD)').argument('<ports...>', '[LOCAL_PORT:]REMOTE_PORT: no LOCAL_PORT means the same port; :REMOTE_PORT or 0:REMOTE_PORT picks a free one; REMOTE_PORT may be a port name')
    .option('--address <addresses>', 'comma-separated addresses to listen on: IPs or localhost (127.0.0.1 and ::1)', 'localhost')
    .action(async (pod: string, ports: string[], opts) => done(await portForwardCommand(pod, ports, opts, io())));
  client(program.command('delete').description('delete objects by type and name, or those of a manifest file'))
    .argument('[type]', 'pods, configmaps, secrets, namespaces, events (or TYPE/NAME)').argument('[names...]', 'names')
    .option('-f, --filename <file>', 'delete the objects of this manifest')
    .option('--grace-period <seconds>', 'seconds a pod has to stop before it is killed (0: at once)')
    .option('--no-wait', 'do not wait for the objects to be gone')
    .option('-o, --output <format>', 'name: print TYPE/NAME for each deleted object')
    .action(async (type: string | undefined, names: string[], opts) => done(await deleteCommand(type ? [type, ...names] : [], opts, write)));
}
