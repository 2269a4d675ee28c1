import { OverviewDashboard } from "./_components/overview-dashboard";

export default function OverviewPage() {
  return <OverviewDashboard />;
}
