import Link from "next/link";
import type { ReactNode } from "react";
import { AccountMenu } from "./_components/account-menu";
import { SiteNav } from "./_components/site-nav";

/** Every signed-in section: header with navigation and the account menu. */
export default function DashboardLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="site-header__inner">
          <Link href="/" className="brand">
            <span className="brand__mark" aria-hidden="true" />
            Showrunner
          </Link>
          <SiteNav />
          <AccountMenu />
        </div>
      </header>
      <main id="main" className="page">
        {children}
      </main>
    </>
  );
}
