import { Counter, type Registry } from 'prom-client';

/** One labelled series of a {@link CellCounter}: add to `n` on the hot path. */
export interface CountCell {
  n: number;
}

const NEW_SERIES = -1;

interface Series<L extends string> {
  labels: Record<L, string>;
  cell: CountCell;
  flushed: number;
}

/**
 * A prom-client counter whose series are plain numbers, flushed into it when scraped. prom-client's
 * own `inc(labels)` (and the child of `.labels()`, which only binds the labels) hashes and validates
 * the label set on every call; a cell found once and kept by the caller costs one addition.
 */
export class CellCounter<L extends string> {
  private readonly series: Series<L>[] = [];
  private readonly byKey = new Map<string, CountCell>();

  constructor(
    registry: Registry,
    name: string,
    help: string,
    private readonly labelNames: readonly L[],
  ) {
    const series = this.series;
    new Counter<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        for (const entry of series) {
          const delta = entry.cell.n - entry.flushed;
          // A new series is flushed even at 0, so that rate() sees it start.
          if (delta === 0 && entry.flushed !== NEW_SERIES) continue;
          this.inc(entry.labels, entry.flushed === NEW_SERIES ? entry.cell.n : delta);
          entry.flushed = entry.cell.n;
        }
      },
    });
  }

  /**
   * The cell of these label values, made on first use (the series then shows 0). A map lookup:
   * callers on a hot path keep the cell rather than asking again.
   */
  cell(labels: Record<L, string>): CountCell {
    const key = this.labelNames.map((name) => labels[name]).join('\u0000');
    let cell = this.byKey.get(key);
    if (!cell) {
      cell = { n: 0 };
      this.byKey.set(key, cell);
      // An own copy: the collector outlives the caller's object.
      this.series.push({ labels: { ...labels }, cell, flushed: NEW_SERIES });
    }
    return cell;
  }
}
