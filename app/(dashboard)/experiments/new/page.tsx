import type { Metadata } from "next";
import { NewExperiment } from "../_components/new-experiment";

export const metadata: Metadata = { title: "New experiment" };

export default function NewExperimentPage() {
  return <NewExperiment />;
}
