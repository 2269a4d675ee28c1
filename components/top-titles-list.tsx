import type { TitleNow } from "@/lib/live/contract";
import { formatCount, formatInteger } from "@/lib/format";

export interface TopTitlesListProps {
  titles: TitleNow[];
}

/** The titles drawing the most watch minutes right now, with a bar for each one's share of the top. */
export function TopTitlesList({ titles }: TopTitlesListProps) {
  const top = Math.max(1, ...titles.map((t) => t.watchMinutes));
  return (
    <div className="top-titles">
      <div className="top-titles__row top-titles__head" aria-hidden="true">
        <span className="num">#</span>
        <span>Title</span>
        <span className="num">Watch min</span>
        <span className="num">Viewers</span>
      </div>
      {titles.length === 0 ? (
        <p className="top-titles__empty" data-testid="top-titles-empty">
          Nothing watched in the last 5 minutes.
        </p>
      ) : null}
      <ol className="top-titles__list" data-testid="top-titles">
        {titles.map((title, index) => (
          <li key={title.titleId} className="top-titles__row" data-title-id={title.titleId}>
            <span className="top-titles__rank num">{index + 1}</span>
            <span className="top-titles__title">
              <span className="top-titles__bar" style={{ width: `${(title.watchMinutes / top) * 100}%` }} aria-hidden="true" />
              <span className="top-titles__name" title={title.name}>
                {title.name}
              </span>
              {title.genre ? <span className="top-titles__genre">{title.genre}</span> : null}
            </span>
            <span className="num" data-value={title.watchMinutes}>
              {formatInteger(title.watchMinutes)}
            </span>
            <span className="num" data-value={title.viewers}>
              {formatCount(title.viewers)}
            </span>
          </li>
        ))}
      </ol>
    </div>
  );
}
