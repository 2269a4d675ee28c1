/**
 * Login rate limiting (rate-limiter-flexible, in memory per process): 10 failed attempts per
 * email per 15 minutes and, when the client address is known (TRUST_PROXY), 50 per address per 15
 * minutes. A success clears the email's count. With several web processes each limits on its own;
 * the bound is per process.
 */
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

const byEmail = new RateLimiterMemory({ keyPrefix: "login_email", points: 10, duration: 15 * 60 });
const byAddress = new RateLimiterMemory({ keyPrefix: "login_ip", points: 50, duration: 15 * 60 });

/** Seconds until another attempt is allowed, or 0 when it is allowed now. */
export async function loginBlockedFor(email: string, address: string | null): Promise<number> {
  const [e, a] = await Promise.all([byEmail.get(email), address === null ? null : byAddress.get(address)]);
  const wait = (r: RateLimiterRes | null, points: number) => (r && r.consumedPoints >= points ? Math.ceil(r.msBeforeNext / 1000) : 0);
  return Math.max(wait(e, 10), wait(a, 50));
}

export async function recordLoginFailure(email: string, address: string | null): Promise<void> {
  await Promise.all([byEmail.penalty(email, 1), address === null ? null : byAddress.penalty(address, 1)]);
}

export async function recordLoginSuccess(email: string): Promise<void> {
  await byEmail.delete(email);
}
