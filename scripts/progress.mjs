// Progress bars for the project's own scripts (npm run stack:build, …): the same wrapper as the CLI
// (src/cli/progress.ts, built into dist/ by `npm ci`), drawn on stderr on an interactive terminal only.
// Before the first build there is no bar, never an error.
//
//   const progress = await scriptProgress('stack:build', 'binaries');
//   progress.update({ done: 1, total: 3, detail: 'prometheus' });
//   progress.stop();
// `target` ({ stream, interactive }) is for tests; default stderr when interactive.
export async function scriptProgress(label, unit, target) {
  try {
    const { startProgress, interactiveTerminal } = await import('../dist/src/cli/progress.js');
    return startProgress(target ?? { stream: process.stderr, interactive: interactiveTerminal() }, label, unit);
  } catch {
    return { update() {}, stop() {} };
  }
}
