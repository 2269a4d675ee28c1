import type { Metadata } from "next";
import { ExperimentPage } from "./_components/experiment-page";

type Params = Promise<{ key: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `Experiment ${(await params).key}` };
}

export default async function ExperimentRoute({ params }: { params: Params }) {
  const { key } = await params;
  return <ExperimentPage experimentKey={key} />;
}
