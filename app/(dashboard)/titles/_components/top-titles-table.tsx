import Link from "next/link";
import type { TopTitle } from "@/lib/api/types";
import { formatCount, formatDuration, formatHours, NO_VALUE, type DayRange } from "@/lib/format";
import styles from "./titles.module.css";

/**
 * Top titles by total watch time over a day range, with a bar for each title's share of the top.
 * Each name links to the title's page for the same range.
 */
export function TopTitlesTable({ titles, range }: { titles: TopTitle[]; range: DayRange }) {
  const search = new URLSearchParams({ from: range.from, to: range.to });
  const top = Math.max(1, ...titles.map((t) => t.totalWatchSeconds));
  return (
    <div className="table-scroll">
      <table className="data-table" data-testid="top-titles-table">
        <thead>
          <tr>
            <th scope="col" className="num col-rank">#</th>
            <th scope="col">Title</th>
            <th scope="col">Genre</th>
            <th scope="col" className="num">Released</th>
            <th scope="col" className="num">Watch hours</th>
            <th scope="col" className="num">Unique viewers</th>
            <th scope="col" className="num" title="Average watch duration per watch event (mm:ss)">
              Avg watch
            </th>
          </tr>
        </thead>
        <tbody>
          {titles.map((t, i) => (
            <tr key={t.titleId} data-title-id={t.titleId}>
              <td className="num col-rank">{i + 1}</td>
              <th scope="row" className="col-title">
                <Link className={styles.titleLink} href={`/titles/${encodeURIComponent(t.titleId)}?${search}`}>
                  {t.name}
                </Link>
                {t.name === t.titleId && t.genre === null && t.releaseYear === null ? <span className="muted"> (not in catalog)</span> : null}
              </th>
              <td>{t.genre ? <span className="genre">{t.genre}</span> : <span className="muted">{NO_VALUE}</span>}</td>
              <td className="num">{t.releaseYear ?? NO_VALUE}</td>
              <td className="num col-bar">
                <span className="cell-bar">
                  <span className="cell-bar__track" aria-hidden="true">
                    <span className="cell-bar__fill" style={{ width: `${(t.totalWatchSeconds / top) * 100}%` }} />
                  </span>
                  <span className="cell-bar__value">{formatHours(t.totalWatchSeconds)}</span>
                </span>
              </td>
              <td className="num">{formatCount(t.uniqueViewers)}</td>
              <td className="num">{formatDuration(t.avgWatchSeconds)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
