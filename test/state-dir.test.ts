// The default state dir: $WASMPOD_STATE_DIR, else $XDG_STATE_HOME/wasmpod, else ~/.local/state/wasmpod.
import t from 'tap';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultStateDir } from '../dist/src/state-dir.js';

t.test('WASMPOD_STATE_DIR wins, made absolute', async (t) => {
  t.equal(defaultStateDir({ WASMPOD_STATE_DIR: '/srv/wp', XDG_STATE_HOME: '/x' }), path.resolve('/srv/wp'));
  t.equal(defaultStateDir({ WASMPOD_STATE_DIR: 'rel/dir' }), path.resolve('rel/dir'));
});

t.test('then $XDG_STATE_HOME/wasmpod, when it is absolute', async (t) => {
  t.equal(defaultStateDir({ XDG_STATE_HOME: '/home/u/.state' }), path.join('/home/u/.state', 'wasmpod'));
  // The XDG spec says a relative value is invalid and must be ignored.
  t.equal(defaultStateDir({ XDG_STATE_HOME: 'relative' }), path.join(os.homedir(), '.local', 'state', 'wasmpod'));
});

t.test('else ~/.local/state/wasmpod', async (t) => {
  t.equal(defaultStateDir({}), path.join(os.homedir(), '.local', 'state', 'wasmpod'));
});
