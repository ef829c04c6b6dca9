/** Timing for the benchmarks: wall and CPU seconds since `clocks()` was called (the machine may be shared). */
export function clocks(): () => { wall: number; cpu: number } {
  const t = performance.now();
  const c = process.cpuUsage();
  return () => {
    const u = process.cpuUsage(c);
    return { wall: (performance.now() - t) / 1000, cpu: (u.user + u.system) / 1e6 };
  };
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
