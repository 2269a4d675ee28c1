"use client";

import { Bar, BarChart, CartesianGrid, LabelList, Tooltip, XAxis, YAxis } from "recharts";
import { formatCount, formatHours, formatInteger, formatPercent } from "@/lib/format";
import type { GenresResponse } from "@/server/queries/get-genres";
import styles from "./titles.module.css";
import { AXIS_TICK } from "@/components/charts/axes";

/** Titles the catalog does not know have no genre. */
const NO_GENRE = "Not in catalog";

/** Pixels per genre bar, so the chart grows with the number of genres instead of squeezing them. */
const ROW_HEIGHT = 30;

/**
 * Each genre's share of all watch time over the range as a bar chart, with the same figures, views
 * and unique viewers in a table beside it (the chart's text alternative).
 */
export function GenreBreakdown({ data }: { data: GenresResponse }) {
  const rows = data.genres.map((g) => ({ ...g, label: g.genre ?? NO_GENRE }));
  // Ticks on whole 5% steps (10% past 40%) rather than wherever recharts splits the range.
  const top = Math.max(0.05, ...rows.map((g) => g.share));
  const stepSize = top > 0.4 ? 0.1 : 0.05;
  const ticks = Array.from({ length: Math.ceil(top / stepSize - 1e-9) + 1 }, (_, i) => Math.round(i * stepSize * 100) / 100);
  return (
    <div className={styles.genreGrid}>
      <figure
        className={styles.genreChart}
        data-testid="genre-chart"
        aria-label={`Share of watch time by genre: ${rows.map((g) => `${g.label} ${formatPercent(g.share)}`).join(", ")}`}
      >
        <BarChart
          layout="vertical"
          responsive
          style={{ width: "100%", height: rows.length * ROW_HEIGHT + 40 }}
          data={rows}
          margin={{ top: 4, right: 56, bottom: 4, left: 8 }}
          accessibilityLayer
        >
          <CartesianGrid horizontal={false} stroke="var(--chart-grid)" />
          <XAxis
            type="number"
            dataKey="share"
            domain={[0, ticks.at(-1) ?? 1]}
            ticks={ticks}
            tickFormatter={(v: number) => formatPercent(v, 0)}
            tick={AXIS_TICK}
            tickLine={false}
            axisLine={{ stroke: "var(--border-strong)" }}
          />
          <YAxis type="category" dataKey="label" width={120} tick={{ fill: "var(--text)", fontSize: "0.82rem" }} tickLine={false} axisLine={false} interval={0} />
          <Tooltip
            cursor={{ fill: "var(--surface-2)" }}
            formatter={(value, _name, item) => [
              `${formatPercent(Number(value))} · ${formatHours((item.payload as { watchSeconds: number }).watchSeconds)} h`,
              "Watch time",
            ]}
            isAnimationActive={false}
          />
          <Bar dataKey="share" name="Share of watch time" fill="var(--chart-line)" fillOpacity={0.75} radius={[0, 4, 4, 0]} isAnimationActive={false}>
            <LabelList dataKey="share" position="right" formatter={(v) => formatPercent(Number(v))} style={{ fill: "var(--muted)", fontSize: "0.78rem" }} />
          </Bar>
        </BarChart>
      </figure>
      <div className="table-scroll">
        <table className="data-table" data-testid="genre-table">
          <caption className="visually-hidden">Genres by watch time</caption>
          <thead>
            <tr>
              <th scope="col">Genre</th>
              <th scope="col" className="num">
                Watch hours
              </th>
              <th scope="col" className="num">
                Share
              </th>
              <th scope="col" className="num">
                Views
              </th>
              <th scope="col" className="num" title="Distinct users who watched any title of the genre in the range">
                Unique viewers
              </th>
              <th scope="col" className="num">
                Titles
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((g) => (
              <tr key={g.label} data-genre={g.genre ?? ""}>
                <th scope="row">{g.genre ? <span className="genre">{g.genre}</span> : <span className="muted">{NO_GENRE}</span>}</th>
                <td className="num">{formatHours(g.watchSeconds)}</td>
                <td className="num">{formatPercent(g.share)}</td>
                <td className="num">{formatCount(g.views)}</td>
                <td className="num">{formatCount(g.uniqueViewers)}</td>
                <td className="num">{formatInteger(g.titles)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
