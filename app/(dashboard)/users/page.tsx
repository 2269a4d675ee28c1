import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { UserLookupForm } from "./_components/user-lookup-form";
import styles from "./_components/users.module.css";

export const metadata: Metadata = { title: "Users" };

/** /users: look a user up by id. /users?id=<id> (a bookmarked search) goes straight to the user. */
export default async function UsersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { id } = await searchParams;
  if (typeof id === "string" && id.trim()) redirect(`/users/${encodeURIComponent(id.trim())}`);
  return (
    <div className="report">
      <header className="page-header">
        <div>
          <h1>Users</h1>
          <p className="page-header__sub">One user’s watching, experiment assignments and live features</p>
        </div>
      </header>
      <section className={`panel ${styles.intro}`} aria-label="Look up a user">
        <UserLookupForm autoFocus />
        <p className={styles.note}>
          Answers questions like “why did this user get variant B?”: their daily watch time and titles, every experiment that
          assigned them (with the draw that decided it), their country and device as last seen, and their last hour live.
          Simulated users are <span className={styles.code}>u_000001</span>, <span className={styles.code}>u_000002</span>, …
        </p>
      </section>
    </div>
  );
}
