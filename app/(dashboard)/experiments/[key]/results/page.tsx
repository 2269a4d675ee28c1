import type { Metadata } from "next";
import { ResultsPage } from "./_components/results-page";

type Params = Promise<{ key: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `Results: ${(await params).key}` };
}

/** /experiments/:key/results: the experiment's results on a page of their own, to share. */
export default async function ExperimentResultsRoute({ params }: { params: Params }) {
  const { key } = await params;
  return <ResultsPage experimentKey={key} />;
}
