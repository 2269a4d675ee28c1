import type { Metadata } from "next";
import { EditExperiment } from "../../_components/edit-experiment";

type Params = Promise<{ key: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `Edit ${(await params).key}` };
}

export default async function EditExperimentPage({ params }: { params: Params }) {
  const { key } = await params;
  return <EditExperiment experimentKey={key} />;
}
