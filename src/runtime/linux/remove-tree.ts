// rm -rf for bundles and sandboxes, also through directories left without permissions.
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Removes `dir` and everything in it. overlayfs leaves its work dir (`work/work`) with mode 000; as root that
 * does not matter, but a rootless runtime owns it without being able to read it, and Node 24's rmSync lists
 * a directory before removing it (Node 20's removed an empty one at once). On EACCES or EPERM the tree's
 * directories are opened up (u+rwx, where we own them) and the removal is tried again.
 */
export function removeTree(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw err;
  }
  openUp(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

function openUp(dir: string): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch {
    return;
  }
  if (!st.isDirectory()) return;
  try {
    fs.chmodSync(dir, 0o700);
  } catch {
    // Not ours: the removal says so if it matters.
  }
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) openUp(path.join(dir, name));
}
