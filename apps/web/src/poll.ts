import { onBeforeUnmount, onMounted } from 'vue';

/**
 * Runs `task` when the component mounts, then again `intervalMs()` after each run ends, until it
 * unmounts. A hidden tab skips its turns (nobody is looking); a failed run waits its turn like a
 * successful one, so an outage is asked about at the same pace rather than in a tight loop.
 */
export function usePolling(task: () => Promise<void>, intervalMs: () => number): { now(): Promise<void> } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  async function run(): Promise<void> {
    clearTimeout(timer);
    try {
      if (document.visibilityState !== 'hidden') await task();
    } catch {
      // The task shows its own errors; polling goes on.
    } finally {
      if (!stopped) timer = setTimeout(run, intervalMs());
    }
  }

  onMounted(run);
  onBeforeUnmount(() => {
    stopped = true;
    clearTimeout(timer);
  });
  return { now: run };
}
